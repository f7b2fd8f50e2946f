package io.insa.iiot.identity;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditEvent.Actor;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.ClientInfo;
import io.insa.iiot.shared.ProblemException;
import java.time.Instant;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The password (and second factor) a signed-in user gives again to change the password or MFA is
 * guessed no more easily than at login: failed checks are limited per client address and minute as
 * login attempts are ({@link LoginThrottle}, a bucket of its own, so that checks behind a session and
 * logins do not share it), and count toward {@link LoginLockout}, both for the address (as login
 * failures) and for the account from any address, so a stolen token used from many addresses gains
 * nothing. Only the account's own sessions reach these checks, so nobody else can lock it this way;
 * logins are not held by the account-wide count. Refusals (429 with Retry-After) and failures are
 * audited.
 */
@Component
class Reauthentication {

    private final Passwords passwords;
    private final LoginThrottle throttle;
    private final LoginLockout lockout;
    private final LoginRefusals refusals;
    private final AuditLog audit;

    Reauthentication(
            Passwords passwords, LoginThrottle throttle, LoginLockout lockout, LoginRefusals refusals, AuditLog audit) {
        this.passwords = passwords;
        this.throttle = throttle;
        this.lockout = lockout;
        this.refusals = refusals;
        this.audit = audit;
    }

    /**
     * Checks the account's password (400 on the field when wrong), after the lockout and the rate limit
     * (429 with Retry-After, whatever the password).
     */
    void requirePassword(Caller caller, UserAccount user, String password, String field, String action) {
        String address = ClientInfo.current().ip();
        lockout.lockedFor(user.email(), address)
                .or(() -> lockout.lockedFor(user.email(), LoginLockout.ANY_ADDRESS))
                .ifPresent(wait -> {
                    refusals.count(address);
                    throw ProblemException.tooManyRequests(
                            "too many failed password checks for this account: try again later", wait);
                });
        throttle.waitFor(bucketOf(address)).ifPresent(wait -> {
            refusals.count(address);
            throw ProblemException.tooManyRequests(
                    "too many failed password checks: the limit is " + throttle.perMinute()
                            + " per minute per client address",
                    wait);
        });
        if (!passwords.matches(password, user.passwordHash())) {
            failed(caller, user, action, "password");
            throw ProblemException.badRequest(field, "is not the account's password");
        }
    }

    /** Counts a wrong password or code toward the lockouts, and audits it. */
    void failed(Caller caller, UserAccount user, String action, String what) {
        String address = ClientInfo.current().ip();
        audit.record(new AuditEvent(
                caller.activeTenant(),
                Actor.of(caller),
                action,
                "user",
                user.id().toString(),
                AuditEvent.FAILURE,
                Map.of("reason", "wrong " + what)));
        throttle.spend(bucketOf(address));
        lockout.recordFailure(user.email(), address).ifPresent(until -> auditLock(user, address, until));
        lockout.recordFailure(user.email(), LoginLockout.ANY_ADDRESS)
                .ifPresent(until -> auditLock(user, LoginLockout.ANY_ADDRESS, until));
    }

    private static String bucketOf(String address) {
        return "behind a session: " + address;
    }

    private void auditLock(UserAccount user, String address, Instant until) {
        audit.record(new AuditEvent(
                null,
                Actor.system(),
                "auth.lockout",
                "user",
                user.id().toString(),
                AuditEvent.SUCCESS,
                Map.of(
                        "email",
                        user.email(),
                        "client_ip",
                        address,
                        "locked_until",
                        until.toString(),
                        "checks",
                        "behind a session")));
    }
}
