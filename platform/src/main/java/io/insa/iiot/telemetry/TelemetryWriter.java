package io.insa.iiot.telemetry;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.device.DevicePresence;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.stereotype.Component;

/**
 * The one writer of telemetry: a batch of device readings becomes rows, latest values, the days'
 * usage and the devices' last-seen times in one transaction, visiting each tenant under its own
 * row-level security context, and only for devices that still exist. Once committed, the stored
 * readings are handed on for evaluation without waiting for whoever evaluates them.
 */
@Component
public class TelemetryWriter {

    /**
     * One device message's points to store.
     *
     * @param receivedAt when the platform received them: the device was seen then
     * @param reservation the quota the points were admitted under, or null for a derived series
     *     (anomaly scores), which is counted as it is stored
     */
    public record Readings(
            DeviceIdentity device, Instant receivedAt, List<Point> points, DailyQuota.Reservation reservation) {}

    /** What became of a batch: the readings stored, and those of devices deleted meanwhile (nothing stored). */
    public record Outcome(List<Readings> stored, List<Readings> ofDeletedDevices) {
        public int points() {
            return stored.stream().mapToInt(r -> r.points().size()).sum();
        }
    }

    private final TenantTransactions transactions;
    private final TelemetryStore store;
    private final TelemetryKeys keys;
    private final TelemetryPartitions partitions;
    private final DailyQuota quota;
    private final DevicePresence devices;
    private final CommittedTelemetryHandOff handOff;
    private final Clock clock;

    TelemetryWriter(
            TenantTransactions transactions,
            TelemetryStore store,
            TelemetryKeys keys,
            TelemetryPartitions partitions,
            DailyQuota quota,
            DevicePresence devices,
            CommittedTelemetryHandOff handOff,
            Clock clock) {
        this.transactions = transactions;
        this.store = store;
        this.keys = keys;
        this.partitions = partitions;
        this.quota = quota;
        this.devices = devices;
        this.handOff = handOff;
        this.clock = clock;
    }

    /**
     * Called when another node takes over writing some devices' telemetry (their ingest partitions
     * moved): waits, up to {@code patience}, until what this node committed is judged and its
     * evaluators (rules, anomaly models) have saved and forgotten their devices' state, so that the next
     * node goes on from the database. False when that did not finish in time.
     */
    public boolean handOverEvaluations(Duration patience) {
        try {
            handOff.release().get(patience.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /**
     * Stores the readings of any tenants in one transaction: all of them, or (when it throws) none.
     * Tenants and devices are written in a fixed order, so that concurrent batches never lock each
     * other's rows crosswise.
     */
    public Outcome commit(List<Readings> readings) {
        Map<TenantId, TenantShare> shares = new TreeMap<>(Comparator.comparing(TenantId::value));
        long lastDay = Long.MIN_VALUE;
        for (Readings r : readings) {
            shares.computeIfAbsent(r.device().tenantId(), t -> new TenantShare())
                    .readings
                    .add(r);
            for (Point p : r.points()) {
                long day = Math.floorDiv(p.ts().getEpochSecond(), 86_400);
                if (day != lastDay) { // most points of a batch share their day
                    partitions.ensure(LocalDate.ofEpochDay(day));
                    lastDay = day;
                }
            }
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        shares.forEach((tenant, share) -> share.keyIds = keys.idsOf(tenant, share.keyNames()));
        transactions.inEachTenant(shares.keySet(), tenant -> {
            TenantShare share = shares.get(tenant);
            share.split(devices.existingForWrite(tenant, share.devices()), today);
            store.write(tenant, share.rows);
            share.usage.forEach((day, points) -> store.addUsage(tenant, day, points[0], points[1]));
            devices.recordSeen(tenant, share.seen);
        });
        List<Readings> stored = new ArrayList<>();
        List<Readings> gone = new ArrayList<>();
        shares.forEach((tenant, share) -> {
            stored.addAll(share.stored);
            gone.addAll(share.gone);
            share.derived.forEach((day, points) -> quota.consumed(tenant, day, points));
        });
        handOff.committed(stored);
        return new Outcome(stored, gone);
    }

    /** A tenant's part of a batch. */
    private static final class TenantShare {
        final List<Readings> readings = new ArrayList<>();
        Map<String, Integer> keyIds;

        TelemetryRows rows;
        /** points and messages per day of admission */
        Map<LocalDate, long[]> usage;
        /** points stored without an admission, per day */
        Map<LocalDate, Long> derived;

        Map<UUID, Instant> seen;
        List<Readings> stored;
        List<Readings> gone;

        Set<String> keyNames() {
            Set<String> names = new HashSet<>();
            readings.forEach(r -> r.points().forEach(p -> names.add(p.key())));
            return names;
        }

        Set<UUID> devices() {
            Set<UUID> ids = new HashSet<>();
            readings.forEach(r -> ids.add(r.device().deviceId()));
            return ids;
        }

        /** Sorts the readings into those of devices that still exist, which it turns into rows, and the rest. */
        void split(Set<UUID> existing, LocalDate today) {
            rows = new TelemetryRows();
            usage = new HashMap<>();
            derived = new HashMap<>();
            seen = new HashMap<>();
            stored = new ArrayList<>();
            gone = new ArrayList<>();
            for (Readings r : readings) {
                UUID device = r.device().deviceId();
                if (!existing.contains(device)) {
                    gone.add(r);
                    continue;
                }
                stored.add(r);
                for (Point p : r.points()) {
                    rows.add(device, keyIds.get(p.key()), p.ts(), p.value());
                }
                if (r.reservation() == null) {
                    derived.merge(today, (long) r.points().size(), Long::sum);
                    usage.computeIfAbsent(today, d -> new long[2])[0] +=
                            r.points().size();
                } else {
                    seen.merge(device, r.receivedAt(), (a, b) -> a.isAfter(b) ? a : b);
                    long[] counts = usage.computeIfAbsent(r.reservation().day(), d -> new long[2]);
                    counts[0] += r.points().size();
                    counts[1]++;
                }
            }
        }
    }
}
