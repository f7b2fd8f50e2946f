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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The daily telemetry points quota of each tenant, per UTC day. Points are reserved when a message is
 * admitted (so that the quota holds while batches are in flight); a reservation whose message is not
 * stored gives itself back. The committed count lives in {@code telemetry_usage} and seeds the counter
 * of a day; points stored without an admission (derived series such as anomaly scores) are added to
 * the counter as they are written. With several nodes, each reads every tenant's count of today
 * again every {@code insa.ingest.quota-refresh} and adds what the other nodes stored meanwhile, so a
 * tenant goes over its quota by at most what the other nodes admit within that time.
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

    /**
     * Points taken from a day's quota for a message on its way. It is given back at most once, however
     * many paths learn that the message was not stored; {@link #settleOn} ties that to the
     * message's outcome, so no path has to remember it.
     */
    public final class Reservation {
        private final TenantId tenant;
        private final LocalDate day;
        private final long points;
        private final AtomicBoolean settled = new AtomicBoolean();

        private Reservation(TenantId tenant, LocalDate day, long points) {
            this.tenant = tenant;
            this.day = day;
            this.points = points;
        }

        public TenantId tenant() {
            return tenant;
        }

        /** The UTC day whose quota the points were taken from: the day their usage is counted on. */
        public LocalDate day() {
            return day;
        }

        public long points() {
            return points;
        }

        /**
         * Splits the reservation into one per part of a message (a gateway's devices), each settled on
         * its own; this one is settled by the split. {@code shares} add up to {@link #points()}.
         */
        public List<Reservation> split(List<Integer> shares) {
            if (shares.stream().mapToLong(Integer::longValue).sum() != points || !settled.compareAndSet(false, true)) {
                throw new IllegalStateException("a reservation is split once, into shares that add up to it");
            }
            return shares.stream().map(n -> new Reservation(tenant, day, n)).toList();
        }

        /** Returns the points to the day's quota, once. */
        public void giveBack() {
            if (settled.compareAndSet(false, true)) {
                Usage usage = counters.getIfPresent(new Day(tenant, day));
                if (usage != null) {
                    usage.used.addAndGet(-points);
                }
            }
        }

        /**
         * Settles the reservation when {@code outcome} completes: the points stay taken when it passes
         * {@code stored} (they are in the database now, where the next read must not count them again),
         * and are given back otherwise.
         */
        public <T> void settleOn(CompletableFuture<T> outcome, Predicate<? super T> stored) {
            outcome.whenComplete((result, failure) -> {
                if (failure != null || !stored.test(result)) {
                    giveBack();
                } else if (settled.compareAndSet(false, true)) {
                    Usage usage = counters.getIfPresent(new Day(tenant, day));
                    if (usage != null) {
                        usage.storedHere.addAndGet(points);
                    }
                }
            });
        }
    }

    private record Day(TenantId tenant, LocalDate day) {}

    /**
     * A tenant's day as this node counts it: {@code used} is what admissions are held against (the
     * database's count when last read, plus this node's reservations since, plus what the other nodes
     * stored by the next read).
     */
    private static final class Usage {
        final AtomicLong used;
        /** Points this node stored (or saw stored) since the database's count was last read. */
        final AtomicLong storedHere = new AtomicLong();
        /** The database's count at the last read. */
        long read;

        Usage(long committed) {
            this.used = new AtomicLong(committed);
            this.read = committed;
        }

        /** Adds what others stored since the last read: the database's growth less this node's own part. */
        synchronized void refresh(long committed) {
            long others = committed - read - storedHere.getAndSet(0);
            read = committed;
            used.addAndGet(others);
        }
    }

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final Clock clock;
    private final boolean severalNodes;
    private final Cache<Day, Usage> counters = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofDays(2))
            .maximumSize(1_000_000)
            .build();

    DailyQuota(JdbcClient jdbc, TenantTransactions transactions, Clock clock, @Value("${insa.queue}") String queue) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
        // one node admits every point itself: its count is exact without reading it again
        this.severalNodes = "kafka".equals(queue);
    }

    /** Takes {@code points} from today's quota, all or nothing. */
    public Result admit(TenantId tenant, long limit, long points) {
        LocalDate today = today();
        AtomicLong used = counter(tenant, today).used;
        while (true) {
            long current = used.get();
            if (current + points > limit) {
                Instant reset = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                return new Result(null, new Exceeded(limit, current, points, reset));
            }
            if (used.compareAndSet(current, current + points)) {
                return new Result(new Reservation(tenant, today, points), null);
            }
        }
    }

    /**
     * The reservation a message was admitted under, as the node that writes it from the queue between
     * nodes knows it: its points were counted against the quota when they were admitted, so it takes
     * nothing now and never gives anything back.
     */
    public Reservation reservedAtAdmission(TenantId tenant, LocalDate day, long points) {
        Reservation reservation = new Reservation(tenant, day, points);
        reservation.settled.set(true);
        return reservation;
    }

    /**
     * Counts points stored without an admission (derived series), after their commit, so that the
     * quota sees them. A day not counted in memory yet is left alone: its counter is seeded from
     * {@code telemetry_usage}, which holds them already.
     */
    void consumed(TenantId tenant, LocalDate day, long points) {
        Usage usage = counters.getIfPresent(new Day(tenant, day));
        if (usage != null) {
            usage.used.addAndGet(points);
            usage.storedHere.addAndGet(points);
        }
    }

    /**
     * With several nodes: today's count of every tenant this node counts, read again from the database
     * in one query (tenant ids and counts through the named cross-tenant function
     * {@code app_telemetry_usage_on}), so that the other nodes' points count here too.
     */
    @Scheduled(fixedDelayString = "${insa.ingest.quota-refresh}")
    void refresh() {
        if (!severalNodes) {
            return;
        }
        LocalDate today = today();
        transactions.global(() -> jdbc.sql("SELECT tenant_id, points FROM app_telemetry_usage_on(?)")
                .param(today)
                .query(rs -> {
                    Usage usage =
                            counters.getIfPresent(new Day(new TenantId(rs.getObject(1, java.util.UUID.class)), today));
                    if (usage != null) {
                        usage.refresh(rs.getLong(2));
                    }
                }));
    }

    /** True when today's counter of the tenant is in memory: {@link #admit} then reads no database. */
    public boolean isCountingToday(TenantId tenant) {
        return counters.getIfPresent(new Day(tenant, today())) != null;
    }

    private Usage counter(TenantId tenant, LocalDate day) {
        return counters.get(new Day(tenant, day), d -> new Usage(committed(d)));
    }

    /** Either a reservation or the reason there is none. */
    public record Result(Reservation reservation, Exceeded exceeded) {
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
