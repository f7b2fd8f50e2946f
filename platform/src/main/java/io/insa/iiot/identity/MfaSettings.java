package io.insa.iiot.identity;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditEvent.Actor;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.tenancy.TenantAccess;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * A user's own MFA settings (enrol, confirm, disable) and a system admin's reset of someone else's;
 * each change commits with its audit entry.
 */
@Service
class MfaSettings {

    private final UserAccounts accounts;
    private final Reauthentication reauthentication;
    private final Mfa mfa;
    private final AuthSessions sessions;
    private final TenantAccess access;
    private final TenantTransactions transactions;
    private final AuditLog audit;

    MfaSettings(
            UserAccounts accounts,
            Reauthentication reauthentication,
            Mfa mfa,
            AuthSessions sessions,
            TenantAccess access,
            TenantTransactions transactions,
            AuditLog audit) {
        this.accounts = accounts;
        this.reauthentication = reauthentication;
        this.mfa = mfa;
        this.sessions = sessions;
        this.access = access;
        this.transactions = transactions;
        this.audit = audit;
    }

    Mfa.Enrolment enroll(Caller caller, String password) {
        UserAccount user = withPassword(caller, password, "auth.mfa_enroll");
        return mfa.enroll(user);
    }

    List<String> confirm(Caller caller, String code) {
        UserAccount user = accounts.require(user(caller));
        return transactions.global(() -> {
            List<String> recovery = mfa.confirm(user, code);
            audit.record(
                    AuditEvent.success(caller.activeTenant(), Actor.of(caller), "auth.mfa_enable", "user", user.id()));
            return recovery;
        });
    }

    void disable(Caller caller, String password, String code) {
        UserAccount user = withPassword(caller, password, "auth.mfa_disable");
        if (!user.mfaEnabled()) {
            throw ProblemException.conflict("multi-factor authentication is off already");
        }
        if (!mfa.verifies(user, code)) {
            reauthentication.failed(caller, user, "auth.mfa_disable", "code");
            throw ProblemException.badRequest(
                    "code", "is neither the current code of the authenticator app nor an unused recovery code");
        }
        transactions.global(() -> {
            mfa.remove(user.id());
            audit.record(
                    AuditEvent.success(caller.activeTenant(), Actor.of(caller), "auth.mfa_disable", "user", user.id()));
        });
    }

    /** A system admin turns a user's MFA off (a lost phone and lost codes); the user's sessions end. */
    void reset(Caller caller, UUID userId) {
        access.requireSystemAdmin(caller);
        UserAccount user = accounts.find(userId).orElseThrow(() -> ProblemException.notFound("user " + userId));
        transactions.global(() -> {
            mfa.remove(user.id());
            sessions.revokeAll(user.id(), null, null, "MFA reset by an administrator");
            audit.record(AuditEvent.success(null, Actor.of(caller), "auth.mfa_reset", "user", user.id())
                    .withDetail("email", user.email()));
        });
    }

    /** The caller's account once the password was given again (throttled as logins are). */
    private UserAccount withPassword(Caller caller, String password, String action) {
        UserAccount user = accounts.require(user(caller));
        reauthentication.requirePassword(caller, user, password, "password", action);
        return user;
    }

    private static UUID user(Caller caller) {
        if (caller.isApiKey()) {
            throw ProblemException.forbidden("this endpoint is for users, not API keys");
        }
        return caller.userId();
    }
}
