package io.insa.iiot.identity;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditEvent.Actor;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.identity.AuthApi.MeResponse;
import io.insa.iiot.identity.AuthApi.TenantSummary;
import io.insa.iiot.identity.AuthApi.TokenResponse;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.Role;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import io.insa.iiot.shared.UserStatus;
import io.insa.iiot.tenancy.Membership;
import io.insa.iiot.tenancy.Memberships;
import io.insa.iiot.tenancy.Tenant;
import io.insa.iiot.tenancy.TenantAccess;
import io.insa.iiot.tenancy.Tenants;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;

/** Login, refresh, logout, tenant switching, invitations and password changes (SPEC 3.5). */
@Service
class AuthService {

    private static final String BAD_CREDENTIALS = "invalid e-mail or password";

    private final UserRepository users;
    private final UserAccounts accounts;
    private final Passwords passwords;
    private final AuthSessions sessions;
    private final AccessTokens accessTokens;
    private final LoginThrottle throttle;
    private final LoginLockout lockout;
    private final LoginRefusals refusals;
    private final Memberships memberships;
    private final Tenants tenants;
    private final InvitationAnswers invitations;
    private final Mfa mfa;
    private final Reauthentication reauthentication;
    private final TenantTransactions transactions;
    private final AuditLog audit;
    private final Clock clock;

    AuthService(
            UserRepository users,
            UserAccounts accounts,
            Passwords passwords,
            AuthSessions sessions,
            AccessTokens accessTokens,
            LoginThrottle throttle,
            LoginLockout lockout,
            LoginRefusals refusals,
            Memberships memberships,
            Tenants tenants,
            InvitationAnswers invitations,
            Mfa mfa,
            Reauthentication reauthentication,
            TenantTransactions transactions,
            AuditLog audit,
            Clock clock) {
        this.users = users;
        this.accounts = accounts;
        this.passwords = passwords;
        this.sessions = sessions;
        this.accessTokens = accessTokens;
        this.throttle = throttle;
        this.lockout = lockout;
        this.refusals = refusals;
        this.memberships = memberships;
        this.tenants = tenants;
        this.invitations = invitations;
        this.mfa = mfa;
        this.reauthentication = reauthentication;
        this.transactions = transactions;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Logs in. Refusals before the password check (rate limit, lockout) cost no bcrypt and are audited as
     * per-minute counts; past them, exactly one bcrypt comparison runs whatever the account's state, and
     * unknown, invited, disabled and wrong-password cases answer alike.
     */
    TokenResponse login(String rawEmail, String password, String totpCode, String recoveryCode, String clientIp) {
        String email = UserAccounts.normalizeEmail(rawEmail);
        lockout.lockedFor(email, clientIp).ifPresent(wait -> {
            refusals.count(clientIp);
            throw locked(wait);
        });
        throttle.tryAcquireForAddress(clientIp).ifPresent(wait -> {
            refusals.count(clientIp);
            throw ProblemException.tooManyRequests(
                    "too many login attempts: the limit is " + throttle.perMinute() + " per minute per client address",
                    wait);
        });
        UserAccount user = transactions.global(() -> users.findByEmail(email)).orElse(null);
        boolean matches = passwords.matches(password, user == null ? null : user.passwordHash());
        if (user == null || user.status() != UserStatus.ACTIVE || !matches) {
            recordFailure(email, clientIp, user);
            throw ProblemException.unauthorized(BAD_CREDENTIALS);
        }
        switch (mfa.check(user, totpCode, recoveryCode)) {
            case MISSING ->
                throw mfaRequired("this account needs a code from its authenticator app (totp_code)"
                        + " or a recovery code (recovery_code)");
            case WRONG -> {
                recordFailure(email, clientIp, user); // counts toward the lockout like a wrong password
                throw mfaRequired("the authentication code is wrong or was used already");
            }
            case ACCEPTED_RECOVERY_CODE ->
                audit.record(AuditEvent.success(
                                null, Actor.user(user.id(), email), "auth.mfa_recovery_code_used", "user", user.id())
                        .withDetail("recovery_codes_left", mfa.unusedRecoveryCodes(user.id())));
            case NOT_ENROLLED, ACCEPTED -> {
                // signed in
            }
        }
        lockout.recordSuccess(email, clientIp);
        OffsetDateTime now = Times.now(clock);
        transactions.global(() -> {
            if (passwords.needsRehash(user.passwordHash()) && !Passwords.tooLongForBcrypt(password)) {
                users.updatePassword(user.id(), passwords.hash(password));
                audit.record(AuditEvent.success(
                        null, Actor.user(user.id(), email), "auth.password_rehash", "user", user.id()));
            }
            users.recordSuccessfulLogin(user.id(), now);
        });
        TenantSummary tenant = memberships.ofUser(user.id()).stream()
                .map(m -> summary(user, m.tenantId()))
                .flatMap(Optional::stream)
                .findFirst() // the first tenant that lets the user in (one requiring MFA may not)
                .orElse(null);
        TokenResponse tokens = startSession(user, tenant);
        audit.record(new AuditEvent(
                tenantIdOf(tenant),
                Actor.user(user.id(), email),
                "auth.login",
                "user",
                user.id().toString(),
                AuditEvent.SUCCESS,
                Map.of()));
        return tokens;
    }

    /** 401 with {@code "mfa_required": true}: the client asks for a code and logs in again with it. */
    private static ProblemException mfaRequired(String detail) {
        ProblemException e = ProblemException.unauthorized(detail);
        e.getBody().setProperty("mfa_required", true);
        return e;
    }

    /** The same answer for every e-mail, with or without an account behind it. */
    private ProblemException locked(Duration wait) {
        return ProblemException.tooManyRequests(
                "too many failed logins for this e-mail from this address: try again later", wait);
    }

    private void recordFailure(String email, String clientIp, UserAccount user) {
        Actor actor = user == null ? Actor.anonymous(email) : Actor.user(user.id(), email);
        String target = user == null ? null : user.id().toString();
        audit.record(new AuditEvent(null, actor, "auth.login", "user", target, AuditEvent.FAILURE, Map.of()));
        lockout.recordFailure(email, clientIp)
                .ifPresent(until -> audit.record(new AuditEvent(
                        null,
                        Actor.system(),
                        "auth.lockout",
                        "user",
                        target,
                        AuditEvent.SUCCESS,
                        Map.of("email", email, "client_ip", clientIp, "locked_until", until.toString()))));
    }

    TokenResponse refresh(String refreshToken) {
        return switch (sessions.rotate(refreshToken)) {
            case AuthSessions.Rotation.Rotated rotated -> {
                UserAccount user = accounts.require(rotated.session().userId());
                if (user.status() != UserStatus.ACTIVE) {
                    sessions.revoke(rotated.session().id(), "user not active");
                    throw ProblemException.unauthorized("the account is not active");
                }
                TenantSummary tenant = Optional.ofNullable(rotated.session().tenantId())
                        .flatMap(id -> summary(user, TenantId.of(id)))
                        .orElse(null);
                yield tokens(user, tenant, rotated);
            }
            case AuthSessions.Rotation.Reused reused -> {
                audit.record(new AuditEvent(
                        null,
                        Actor.user(reused.session().userId(), null),
                        "auth.refresh_reuse",
                        "session",
                        reused.session().id().toString(),
                        "revoked",
                        Map.of()));
                throw ProblemException.unauthorized("refresh token reuse detected: the session has been revoked");
            }
            case AuthSessions.Rotation.Invalid invalid ->
                throw ProblemException.unauthorized("refresh token is invalid or expired");
        };
    }

    void logout(Caller caller) {
        requireUser(caller);
        transactions.inContext(caller.activeTenant(), () -> {
            sessions.revoke(caller.sessionId(), "logout");
            audit.record(AuditEvent.success(
                    caller.activeTenant(), Actor.of(caller), "auth.logout", "session", caller.sessionId()));
            return null;
        });
    }

    MeResponse me(Caller caller) {
        UserAccount user = accounts.require(requireUser(caller));
        List<TenantSummary> all = summaries(user, memberships.ofUser(user.id()));
        TenantSummary active = caller.activeTenant() == null
                ? null
                : summary(user, caller.activeTenant()).orElse(null);
        boolean enrolmentRequired = !user.mfaEnabled()
                && tenants
                        .findAll(memberships.ofUser(user.id()).stream()
                                .map(m -> m.tenantId().value())
                                .toList())
                        .stream()
                        .anyMatch(Tenant::requireMfa);
        return new MeResponse(user.view(), active, all, enrolmentRequired);
    }

    TokenResponse switchTenant(Caller caller, UUID tenantId) {
        UserAccount user = accounts.require(requireUser(caller));
        TenantId target = TenantId.of(tenantId);
        Optional<Role> role = memberships.roleOf(user.id(), target);
        if (role.isEmpty() && !user.admin()) {
            throw ProblemException.forbidden("not a member of this tenant");
        }
        Tenant found = tenants.find(tenantId).orElseThrow(() -> ProblemException.notFound("tenant " + tenantId));
        if (found.requireMfa() && !user.mfaEnabled()) {
            throw TenantAccess.mfaEnrollmentRequired();
        }
        TenantSummary tenant = summary(user, target).orElseThrow(() -> ProblemException.notFound("tenant " + tenantId));
        AuthSessions.Rotation.Rotated rotated = transactions.inTenant(target, () -> {
            AuthSessions.Rotation.Rotated switched = sessions.switchTenant(caller.sessionId(), user.id(), target);
            audit.record(AuditEvent.success(target, Actor.of(caller), "auth.switch_tenant", "tenant", tenantId)
                    .withDetail("system_admin_entry", role.isEmpty()));
            return switched;
        });
        return tokens(user, tenant, rotated);
    }

    /** Creates the account an invitation was mailed for, and starts its first session. */
    TokenResponse acceptInvite(String token, String password, String name) {
        InvitationAnswers.Joined joined = invitations.acceptWithToken(token, password, name);
        return startSession(
                joined.user(), summary(joined.user(), joined.tenant()).orElse(null));
    }

    void changePassword(Caller caller, String current, String next) {
        UserAccount user = accounts.require(requireUser(caller));
        reauthentication.requirePassword(caller, user, current, "current_password", "auth.password_change");
        passwords.requireAcceptable("new_password", next, new PasswordPolicy.Owner(user.email(), user.name(), current));
        String hash = passwords.hash(next);
        transactions.inContext(caller.activeTenant(), () -> {
            users.updatePassword(user.id(), hash);
            sessions.revokeAll(user.id(), null, caller.sessionId(), "password changed");
            audit.record(AuditEvent.success(
                    caller.activeTenant(), Actor.of(caller), "auth.password_change", "user", user.id()));
            return null;
        });
    }

    private TokenResponse startSession(UserAccount user, TenantSummary tenant) {
        return tokens(user, tenant, sessions.start(user.id(), tenant == null ? null : TenantId.of(tenant.id())));
    }

    private TokenResponse tokens(UserAccount user, TenantSummary tenant, AuthSessions.Rotation.Rotated rotated) {
        AccessTokens.ActiveTenant active =
                tenant == null ? null : new AccessTokens.ActiveTenant(tenant.id(), tenant.slug(), tenant.role());
        String access = accessTokens.issue(user, active, rotated.session().id());
        return new TokenResponse(
                access, rotated.refreshToken(), "Bearer", accessTokens.ttl().toSeconds(), user.view(), tenant);
    }

    /**
     * The tenant as the user acts in it: their membership role, or admin for a system administrator.
     * None for a user without MFA (member or system admin) in a tenant that requires it.
     */
    private Optional<TenantSummary> summary(UserAccount user, TenantId tenantId) {
        Optional<Role> membership = memberships.roleOf(user.id(), tenantId);
        Optional<Role> role = membership.or(() -> user.admin() ? Optional.of(Role.ADMIN) : Optional.empty());
        if (role.isEmpty()) {
            return Optional.empty();
        }
        return tenants.find(tenantId.value())
                .filter(t -> !t.requireMfa() || user.mfaEnabled())
                .map(t -> new TenantSummary(t.id(), t.name(), t.slug(), role.get()));
    }

    private List<TenantSummary> summaries(UserAccount user, List<Membership> all) {
        Map<UUID, Tenant> byId = tenants
                .findAll(all.stream().map(m -> m.tenantId().value()).toList())
                .stream()
                .collect(Collectors.toMap(Tenant::id, Function.identity()));
        return all.stream()
                .filter(m -> byId.containsKey(m.tenantId().value()))
                .map(m -> {
                    Tenant t = byId.get(m.tenantId().value());
                    return new TenantSummary(t.id(), t.name(), t.slug(), m.role());
                })
                .toList();
    }

    private static TenantId tenantIdOf(TenantSummary tenant) {
        return tenant == null ? null : TenantId.of(tenant.id());
    }

    private static UUID requireUser(Caller caller) {
        if (caller.isApiKey()) {
            throw ProblemException.forbidden("this endpoint is for users, not API keys");
        }
        return caller.userId();
    }
}
