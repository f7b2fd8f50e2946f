package io.insa.iiot.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.insa.iiot.shared.TenantId;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Compaction of old days (SPEC 4.3): every answer the same before and after, points sent later into a
 * compacted day, retention of compacted days, a compaction killed mid-way, one node at a time.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TelemetryCompactionIT extends IntegrationTest {

    static final String KEYS = "temp,state,flag,cfg,us";

    @Autowired
    TelemetryCompaction compaction;

    @Autowired
    TelemetryRetention retention;

    @Autowired
    TelemetryStore store;

    /** A tenant with one device and a day's points around a compacted day, as written by the device. */
    private record Plant(UUID tenant, Fixture.Member viewer, UUID device, String token, LocalDate day) {
        long dayStart() {
            return day.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        }
    }

    @Test
    void everyAnswerIsTheSameAfterCompaction() throws Exception {
        Plant plant = plant("Compacted", 5);
        Map<String, String> before = answers(plant);
        assertThat(rawRows(plant)).isPositive();

        compaction.compactNow();

        assertThat(rawRows(plant)).as("raw rows left of the compacted days").isZero();
        assertThat(compactedRows(plant)).isPositive();
        assertSameAnswers(answers(plant), before);
    }

    @Test
    void aPointSentLaterIntoACompactedDayIsStoredAnsweredAndMergedByTheNextCompaction() throws Exception {
        Plant plant = plant("Late points", 6);
        compaction.compactNow();
        long noon = plant.dayStart() + 12 * 3_600_000L;
        // a new point, and a device's retry of an existing one with another value: it replaces it
        assertThat(fixture.telemetry(
                                plant.token(),
                                "[{\"ts\": " + (noon + 1) + ", \"values\": {\"temp\": 99.25}}," + " {\"ts\": " + noon
                                        + ", \"values\": {\"temp\": -7}}]")
                        .status())
                .isEqualTo(200);
        Map<String, String> late = answers(plant);
        String raw = late.get(rawQuery(plant, "temp", noon - 1, noon + 2, ""));
        assertThat(raw)
                .contains("{\"ts\":" + noon + ",\"value\":-7}")
                .contains("{\"ts\":" + (noon + 1) + ",\"value\":99.25}");
        assertThat(raw).as("the replaced value").doesNotContain("\"ts\":" + noon + ",\"value\":20.1");

        compaction.compactNow();

        assertThat(rawRows(plant)).isZero();
        assertSameAnswers(answers(plant), late);
    }

    @Test
    void retentionDeletesCompactedDaysOfEachTenantByItsOwnRetention() throws Exception {
        Plant shortLived = plant("Short retention", 10);
        Plant longLived = plant("Long retention", 10);
        compaction.compactNow();
        assertThat(compactedRows(shortLived)).isPositive();
        Map<String, String> kept = answers(longLived);

        api.patch("/api/v1/tenants/" + shortLived.tenant(), Map.of("max_retention_days", 9))
                .bearer(fixture.adminToken())
                .send();
        retention.run();

        // 9 days: the day before the compacted day and the day itself go, the day after stays
        assertThat(compactedRows(shortLived, shortLived.day())).isZero();
        assertThat(compactedRows(shortLived, shortLived.day().plusDays(1))).isPositive();
        String raw = answers(shortLived)
                .get(rawQuery(
                        shortLived,
                        KEYS,
                        shortLived.dayStart() - 86_400_000L,
                        shortLived.dayStart() + 2 * 86_400_000L,
                        ""));
        assertThat(raw).contains("\"ts\":" + (shortLived.dayStart() + 86_400_000L));
        assertThat(raw).doesNotContain("\"ts\":" + shortLived.dayStart() + ",");
        assertSameAnswers(answers(longLived), kept);
    }

    @Test
    void compactedPartitionsOlderThanEveryTenantsRetentionAreDroppedWhole() throws Exception {
        Plant old = plant("A year ago", 400, 3650);
        compaction.compactNow();
        assertThat(compactedRows(old, old.day())).isPositive();
        String partition = "telemetry_compact_" + old.day().toString().replace("-", "");
        assertThat(relation(partition)).isNotNull();

        api.patch("/api/v1/tenants/" + old.tenant(), Map.of("max_retention_days", 365))
                .bearer(fixture.adminToken())
                .send();
        retention.run();

        assertThat(relation(partition)).as("dropped whole").isNull();
        assertThat(answers(old)
                        .get(rawQuery(old, KEYS, old.dayStart() - 86_400_000L, old.dayStart() + 2 * 86_400_000L, "")))
                .contains("\"series\"")
                .doesNotContain("\"ts\"");
    }

    /**
     * The compaction's connection is killed, or its statement fails, while it moves the third device:
     * as the third device's raw rows are deleted, or as its hours are written. The two devices before
     * are compacted, the third and the rest still raw, every point there once; the next run completes.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "DELETE ON telemetry, PERFORM pg_terminate_backend(pg_backend_pid())",
        "INSERT ON telemetry_compact, PERFORM pg_terminate_backend(pg_backend_pid())",
        "DELETE ON telemetry, RAISE disk_full",
        "INSERT ON telemetry_compact, RAISE disk_full"
    })
    void aCompactionKilledMidwayLosesNothingAndTheNextOneCompletes(String when, String failure) throws Exception {
        Plant plant = plant("Compaction killed", 7);
        Fixture.Member operator = fixture.member(plant.tenant(), "operator");
        for (int i = 0; i < 3; i++) {
            send(fixture.device(operator.accessToken(), "more-" + i).token(), plant.dayStart(), 0.5 * i);
        }
        List<UUID> inOrder =
                ownerStrings("SELECT id::text FROM devices WHERE tenant_id = '" + plant.tenant() + "' ORDER BY id")
                        .stream()
                        .map(UUID::fromString)
                        .toList();
        UUID third = inOrder.get(2);
        Map<UUID, Map<String, String>> before = new LinkedHashMap<>();
        for (UUID device : inOrder) {
            before.put(device, answers(plant, device));
        }
        owner("CREATE FUNCTION compaction_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF (TG_OP = 'DELETE' AND OLD.device_id = '" + third
                + "') OR (TG_OP = 'INSERT' AND NEW.device_id = '"
                + third + "') THEN " + failure + "; END IF; RETURN coalesce(NEW, OLD); END $$");
        owner("GRANT EXECUTE ON FUNCTION compaction_fault() TO " + TestDatabase.get().appUser);
        owner("CREATE TRIGGER compaction_fault BEFORE " + when + " FOR EACH ROW EXECUTE FUNCTION compaction_fault()");
        try {
            TenantId tenant = TenantId.of(plant.tenant());
            assertThatThrownBy(() -> compaction.compactDay(tenant, plant.day(), 1))
                    .isInstanceOf(RuntimeException.class);
        } finally {
            owner("DROP TRIGGER compaction_fault ON " + when.substring(when.indexOf(" ON ") + 4));
            owner("DROP FUNCTION compaction_fault()");
        }

        assertThat(compactedRows(plant, plant.day(), inOrder.get(0))).isPositive();
        assertThat(compactedRows(plant, plant.day(), inOrder.get(1))).isPositive();
        assertThat(compactedRows(plant, plant.day(), third))
                .as("the failed batch wrote nothing")
                .isZero();
        assertThat(rawRows(plant, plant.day(), third)).as("and deleted nothing").isPositive();
        for (UUID device : inOrder) {
            assertSameAnswers(answers(plant, device), before.get(device));
        }

        compaction.compactNow();

        assertThat(rawRows(plant)).isZero();
        for (UUID device : inOrder) {
            assertSameAnswers(answers(plant, device), before.get(device));
        }
    }

    @Test
    void aRunWaitsForNoOneAndSkipsWhileAnotherNodeHoldsTheMaintenanceLock() throws Exception {
        Plant plant = plant("One node at a time", 8);
        try (Connection otherNode = TestDatabase.get().connectAsApp();
                PreparedStatement lock = otherNode.prepareStatement("SELECT pg_advisory_lock(?)")) {
            lock.setLong(1, TelemetryMaintenance.LOCK);
            lock.execute();
            compaction.scheduled();
            assertThat(rawRows(plant))
                    .as("not compacted while another node holds the lock")
                    .isPositive();
        }
        // not scheduled() again: the shared context's own retention run (5 min after start) may hold the lock
        compaction.compactNow();
        assertThat(rawRows(plant)).isZero();
    }

    // ---------------------------------------------------------------- the plant and its answers

    /**
     * A tenant whose device wrote, through the device API, points of three keys on the days around
     * {@code daysAgo} (hour and day edges included, longs and doubles in one key), and a key with
     * microsecond timestamps written straight into the table.
     */
    private Plant plant(String name, int daysAgo) throws Exception {
        return plant(name, daysAgo, 30);
    }

    private Plant plant(String name, int daysAgo, int retentionDays) throws Exception {
        UUID tenant = fixture.tenant(Fixture.unique(name), Map.of("max_retention_days", retentionDays));
        Fixture.Member operator = fixture.member(tenant, "operator");
        Fixture.Member viewer = fixture.member(tenant, "viewer");
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), "meter");
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(daysAgo);
        Plant plant = new Plant(tenant, viewer, device.id(), device.token(), day);
        send(device.token(), plant.dayStart(), 0);
        // microseconds, at an hour's edges
        Instant us = Instant.ofEpochMilli(plant.dayStart()).plusSeconds(5 * 3600);
        assertThat(fixture.telemetry(device.token(), "{\"ts\": " + us.toEpochMilli() + ", \"values\": {\"us\": 0}}")
                        .status())
                .isEqualTo(200);
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("SELECT set_config('app.tenant_id', ?, true)")) {
                s.setString(1, tenant.toString());
                s.execute();
            }
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO telemetry (tenant_id, device_id, key_id, ts, double_v)
                    SELECT ?, ?, (SELECT id FROM telemetry_keys WHERE key = 'us'), ?::timestamptz + o * interval '1 microsecond', o / 3.0
                    FROM unnest(ARRAY[1, 2, 999, 3599999999, -1, -2]::bigint[]) o""")) {
                s.setObject(1, tenant);
                s.setObject(2, device.id());
                s.setObject(3, us.atOffset(ZoneOffset.UTC));
                s.executeUpdate();
            }
            c.commit();
        }
        return plant;
    }

    /** Points of the three days around {@code dayStart}: edges of hours and days, mixed value types. */
    private void send(String token, long dayStart, double shift) {
        List<String> messages = new ArrayList<>();
        long[] offsets = {
            -86_400_000L,
            -1,
            0,
            1,
            3_599_999,
            3_600_000,
            3_600_001,
            7_777_777,
            12 * 3_600_000L,
            43_210_123,
            86_399_999,
            86_400_000L,
            86_400_001L,
            2 * 86_400_000L - 1
        };
        for (int i = 0; i < offsets.length; i++) {
            long ts = dayStart + offsets[i];
            String temp = i % 3 == 0 ? Long.toString(i * 7L - 20) : Double.toString(i * 1.25 + 10.1 + shift);
            messages.add("{\"ts\": " + ts + ", \"values\": {\"temp\": " + temp + ", \"state\": \"s" + i
                    + "\", \"flag\": " + (i % 2 == 0) + ", \"cfg\": {\"n\": " + i + ", \"a\": [1, \"x\"]}}}");
        }
        // a steady series through one hour: the usual case
        for (int s = 0; s < 360; s++) {
            messages.add("{\"ts\": " + (dayStart + 2 * 3_600_000L + s * 10_000L) + ", \"values\": {\"temp\": "
                    + (20 + Math.sin(s / 10.0) + shift) + "}}");
        }
        assertThat(fixture.telemetry(token, "[" + String.join(",", messages) + "]")
                        .status())
                .isEqualTo(200);
    }

    private Map<String, String> answers(Plant plant) throws Exception {
        return answers(plant, plant.device());
    }

    /** Every read of the device's telemetry, as answered: raw, buckets of every aggregate, CSV, latest, stats. */
    private Map<String, String> answers(Plant plant, UUID device) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        long start = plant.dayStart() - 86_400_000L;
        long end = plant.dayStart() + 2 * 86_400_000L;
        List<String> paths = new ArrayList<>();
        paths.add(rawQuery(plant, device, KEYS, start, end, ""));
        paths.add(rawQuery(plant, device, KEYS, start, end, "&limit=3"));
        paths.add(rawQuery(plant, device, "temp", plant.dayStart() + 3_599_999, plant.dayStart() + 3_600_001, ""));
        paths.add(rawQuery(
                plant,
                device,
                "temp",
                plant.dayStart() + 12 * 3_600_000L - 1,
                plant.dayStart() + 12 * 3_600_000L + 2,
                ""));
        for (String agg : List.of("avg", "min", "max", "sum", "count")) {
            for (String interval : List.of("1h", "7m", "1d", "10s")) {
                long from = interval.equals("10s") ? plant.dayStart() + 2 * 3_600_000L - 5_000 : start;
                long to = interval.equals("10s") ? plant.dayStart() + 3 * 3_600_000L + 5_000 : end;
                paths.add("/api/v1/devices/" + device + "/telemetry?keys=" + KEYS + "&agg=" + agg + "&interval="
                        + interval + "&start=" + from + "&end=" + to);
            }
        }
        paths.add("/api/v1/devices/" + device + "/telemetry/export?keys=" + KEYS + "&start=" + start + "&end=" + end);
        paths.add("/api/v1/devices/" + device + "/telemetry/export?keys=" + KEYS + "&agg=sum&interval=30m&start="
                + (start + 1234) + "&end=" + end);
        paths.add("/api/v1/devices/" + device + "/telemetry/latest");
        for (String path : paths) {
            var response = api.get(path).bearer(plant.viewer().accessToken()).send();
            assertThat(response.status()).as(path + " " + response).isEqualTo(200);
            out.put(path, response.text());
        }
        String stats = "/api/v1/tenants/" + plant.tenant() + "/stats";
        out.put(stats, api.get(stats).bearer(fixture.adminToken()).send().text());
        for (String key : KEYS.split(",")) {
            out.put(
                    "recentNumbers " + key,
                    store.recentNumbers(TenantId.of(plant.tenant()), device, key, 50)
                            .toString());
        }
        return out;
    }

    private static void assertSameAnswers(Map<String, String> actual, Map<String, String> expected) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach(
                (query, answer) -> assertThat(actual.get(query)).as(query).isEqualTo(answer));
    }

    private static String rawQuery(Plant plant, String keys, long start, long end, String more) {
        return rawQuery(plant, plant.device(), keys, start, end, more);
    }

    private static String rawQuery(Plant plant, UUID device, String keys, long start, long end, String more) {
        return "/api/v1/devices/" + device + "/telemetry?keys=" + keys + "&start=" + start + "&end=" + end + more;
    }

    // ---------------------------------------------------------------- what the tables hold

    private static long rawRows(Plant plant) throws SQLException {
        return count("telemetry", plant.tenant(), "true");
    }

    private static long rawRows(Plant plant, LocalDate day, UUID device) throws SQLException {
        return count(
                "telemetry",
                plant.tenant(),
                "device_id = '" + device + "' AND ts >= '" + day + " 00:00+00' AND ts < '" + day.plusDays(1)
                        + " 00:00+00'");
    }

    private static long compactedRows(Plant plant) throws SQLException {
        return count("telemetry_compact", plant.tenant(), "true");
    }

    private static long compactedRows(Plant plant, LocalDate day) throws SQLException {
        return count(
                "telemetry_compact",
                plant.tenant(),
                "hour >= '" + day + " 00:00+00' AND hour < '" + day.plusDays(1) + " 00:00+00'");
    }

    private static long compactedRows(Plant plant, LocalDate day, UUID device) throws SQLException {
        return count(
                "telemetry_compact",
                plant.tenant(),
                "device_id = '" + device + "' AND hour >= '" + day + " 00:00+00' AND hour < '" + day.plusDays(1)
                        + " 00:00+00'");
    }

    /** Rows of a tenant in a table, read as the runtime role in the tenant's context. */
    private static long count(String table, UUID tenant, String where) throws SQLException {
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("SELECT set_config('app.tenant_id', ?, true)")) {
                s.setString(1, tenant.toString());
                s.execute();
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table + " WHERE " + where)) {
                rs.next();
                long n = rs.getLong(1);
                c.rollback();
                return n;
            }
        }
    }

    private static String relation(String name) throws SQLException {
        List<String> found = ownerStrings("SELECT to_regclass('public." + name + "')::text");
        return found.getFirst();
    }

    private static void owner(String sql) throws SQLException {
        try (Connection c = TestDatabase.get().connectAsOwner();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static List<String> ownerStrings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = TestDatabase.get().connectAsOwner();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
