package io.insa.iiot.telemetry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The daily telemetry points quota of each tenant, per UTC day. Points are counted when a message is
 * admitted (so that the quota holds while batches are in flight) and given back if their batch fails
 * to commit; the committed count lives in {@code telemetry_usage} and seeds the counter of a day.
 */
@Component
public class DailyQuota {

    /** A message that would cross the quota. */
    public record Exceeded(long limit, long usedToday, long requested, Instant resetsAt) {

        public Duration retryAfter(Clock clock) {
            return Duration.between(clock.instant(), resetsAt);
        }

        public String detail() {
            return "daily telemetry quota exceeded: max_telemetry_points_per_day is " + limit + ", " + usedToday
                    + " points used today (UTC) and this message has " + requested + "; the quota resets at "
                    + resetsAt;
        }
    }

    /** The points of an admitted message, to give back if it is not stored. */
    public record Admission(TenantId tenant, LocalDate day, long points) {}

    private record Day(TenantId tenant, LocalDate day) {}

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final Clock clock;
    private final Cache<Day, AtomicLong> counters = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofDays(2))
            .maximumSize(1_000_000)
            .build();

    DailyQuota(JdbcClient jdbc, TenantTransactions transactions, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** Takes {@code points} from today's quota, all or nothing. */
    public Result admit(TenantId tenant, long limit, long points) {
        LocalDate today = today();
        AtomicLong used = counters.get(new Day(tenant, today), d -> new AtomicLong(committed(d)));
        while (true) {
            long current = used.get();
            if (current + points > limit) {
                Instant reset = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                return new Result(null, new Exceeded(limit, current, points, reset));
            }
            if (used.compareAndSet(current, current + points)) {
                return new Result(new Admission(tenant, today, points), null);
            }
        }
    }

    /** Gives back the points of a message whose batch did not commit. */
    public void giveBack(Admission admission) {
        AtomicLong used = counters.getIfPresent(new Day(admission.tenant(), admission.day()));
        if (used != null) {
            used.addAndGet(-admission.points());
        }
    }

    /** Either an admission or the reason there is none. */
    public record Result(Admission admission, Exceeded exceeded) {
        public Optional<Exceeded> refusal() {
            return Optional.ofNullable(exceeded);
        }
    }

    LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private long committed(Day d) {
        return transactions.inTenant(
                d.tenant(),
                () -> jdbc.sql("SELECT points FROM telemetry_usage WHERE day = ?")
                        .param(d.day())
                        .query(Long.class)
                        .optional()
                        .orElse(0L));
    }
}
