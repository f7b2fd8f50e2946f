package io.insa.iiot.identity;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditEvent.Actor;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.shared.ClientInfo;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Login attempts refused before any password check (rate limit, lockout) are audited as one row per
 * client address and minute with a count, not one row each: an anonymous flood must not be able to grow
 * the audit log at the speed of the network. A minute's row is written once the minute is over.
 */
@Component
class LoginRefusals {

    private record Key(String address, Instant minute) {}

    private final Map<Key, AtomicLong> counts = new ConcurrentHashMap<>();
    private final AuditLog audit;
    private final Clock clock;

    LoginRefusals(AuditLog audit, Clock clock) {
        this.audit = audit;
        this.clock = clock;
    }

    void count(String address) {
        counts.computeIfAbsent(new Key(address, minute(clock.instant())), k -> new AtomicLong())
                .incrementAndGet();
    }

    /** Writes the rows of every minute that has ended. */
    @Scheduled(initialDelay = 15_000, fixedDelay = 15_000)
    void flushEndedMinutes() {
        flush(minute(clock.instant()));
    }

    @PreDestroy
    void flushAll() {
        flush(Instant.MAX);
    }

    private void flush(Instant before) {
        for (Key key : counts.keySet()) {
            if (key.minute().isBefore(before)) {
                AtomicLong count = counts.remove(key);
                if (count != null) {
                    audit.record(
                            new AuditEvent(
                                    null,
                                    Actor.anonymous(null),
                                    "auth.login",
                                    "client_address",
                                    key.address(),
                                    "rate_limited",
                                    Map.of(
                                            "count",
                                            count.get(),
                                            "minute",
                                            key.minute().toString())),
                            new ClientInfo(key.address(), null));
                }
            }
        }
    }

    private static Instant minute(Instant at) {
        return at.truncatedTo(ChronoUnit.MINUTES);
    }
}
