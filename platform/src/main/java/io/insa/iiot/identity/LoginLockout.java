package io.insa.iiot.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Temporary lockout after repeated failed logins, kept per (e-mail, client address): a stranger who
 * guesses wrong from one address locks only that address out of that account, never the owner logging
 * in from elsewhere. Unknown e-mails are counted like real ones, so a lock does not reveal that an
 * account exists. After {@code max-failures} consecutive failures each further failure locks for a
 * delay that doubles from {@code initial-delay} up to {@code duration}.
 *
 * <p>Password checks behind a session ({@link Reauthentication}) also count per account from any
 * address ({@link #ANY_ADDRESS}): only the account's own sessions reach them, so that count cannot be
 * used to lock a stranger out.
 *
 * <p>Kept in memory per node and bounded, as the login throttle is: a restart forgets locks, which
 * the per-address rate limit still covers.
 */
@Component
class LoginLockout {

    /** The address of the account-wide count of failed checks behind its sessions; no client has it. */
    static final String ANY_ADDRESS = "any address";

    private record Key(String email, String address) {}

    private record Failures(int count, Instant lockedUntil) {}

    private final Cache<Key, Failures> failures;
    private final Clock clock;
    private final int maxFailures;
    private final Duration initialDelay;
    private final Duration maxDelay;

    LoginLockout(
            Clock clock,
            @Value("${insa.auth.lockout.max-failures}") int maxFailures,
            @Value("${insa.auth.lockout.initial-delay}") Duration initialDelay,
            @Value("${insa.auth.lockout.duration}") Duration maxDelay) {
        this.clock = clock;
        this.maxFailures = maxFailures;
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
        this.failures = Caffeine.newBuilder()
                .maximumSize(200_000)
                .expireAfterAccess(maxDelay.plus(Duration.ofHours(1)))
                .build();
    }

    /** How long this address is still locked out of this e-mail, if it is. */
    Optional<Duration> lockedFor(String email, String address) {
        Failures f = failures.getIfPresent(new Key(email, address));
        Instant now = clock.instant();
        if (f == null || f.lockedUntil() == null || !f.lockedUntil().isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, f.lockedUntil()));
    }

    /** Counts a failure; the new lock's end when this failure starts one. */
    Optional<Instant> recordFailure(String email, String address) {
        Failures next = failures.asMap().compute(new Key(email, address), (k, f) -> {
            int count = f == null ? 1 : f.count() + 1;
            return new Failures(count, count >= maxFailures ? clock.instant().plus(delay(count)) : null);
        });
        return Optional.ofNullable(next.lockedUntil());
    }

    void recordSuccess(String email, String address) {
        failures.invalidate(new Key(email, address));
    }

    int maxFailures() {
        return maxFailures;
    }

    private Duration delay(int count) {
        int doublings = Math.min(count - maxFailures, 20);
        Duration delay = initialDelay.multipliedBy(1L << doublings);
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }
}
