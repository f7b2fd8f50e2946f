package io.insa.iiot.telemetry;

import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Reads time series of one device: raw points, time buckets, latest values (SPEC 4.3). */
@Component
class TelemetryQueries {

    enum Aggregation {
        NONE,
        AVG,
        MIN,
        MAX,
        SUM,
        COUNT
    }

    // the statements, visible to the test that checks their plans use the indexes; telemetry_points
    // (V13) reads raw and compacted days alike
    static final String RAW = """
            SELECT ts, long_v, double_v, bool_v, str_v, json_v::text AS json_v
            FROM telemetry_points(?, ARRAY[?]::int[], ?, ?)
            ORDER BY ts LIMIT ?""";
    static final String BUCKETS = """
            SELECT key_id, date_bin(make_interval(secs => ?), ts, ?) AS bucket, %s AS v
            FROM telemetry_points(?, ?, ?, ?)
            GROUP BY key_id, bucket ORDER BY key_id, bucket""";
    static final String LATEST = """
            SELECT k.key, l.ts, l.long_v, l.double_v, l.bool_v, l.str_v, l.json_v::text AS json_v
            FROM telemetry_latest l JOIN telemetry_keys k ON k.tenant_id = l.tenant_id AND k.id = l.key_id
            WHERE l.device_id = ? AND (cardinality(?::text[]) = 0 OR k.key = ANY(?::text[]))
            ORDER BY k.key""";

    /** A point or a bucket: {@code ts} in epoch milliseconds (the bucket's start). */
    record Sample(long ts, Object value) {}

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final TelemetryKeys keys;
    private final JsonMapper json;

    TelemetryQueries(JdbcClient jdbc, TenantTransactions transactions, TelemetryKeys keys, JsonMapper json) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.keys = keys;
        this.json = json;
    }

    /** Raw points in [start, end), oldest first, at most {@code limit} per key. */
    Map<String, List<Sample>> raw(
            TenantId tenant, UUID device, List<String> names, Instant start, Instant end, int limit) {
        Map<String, Integer> ids = keys.existing(tenant, names);
        Map<String, List<Sample>> out = empty(names);
        transactions.inTenant(
                tenant,
                () -> ids.forEach((key, id) -> jdbc.sql(RAW)
                        .params(device, id, utc(start), utc(end), limit)
                        .query(rs -> {
                            out.get(key)
                                    .add(new Sample(
                                            rs.getObject("ts", OffsetDateTime.class)
                                                    .toInstant()
                                                    .toEpochMilli(),
                                            value(rs)));
                        })));
        return out;
    }

    /**
     * Buckets of {@code interval} aligned on {@code start}: avg, min, max and sum of the numeric
     * values, count of all values; buckets without values are left out.
     */
    Map<String, List<Sample>> buckets(
            TenantId tenant,
            UUID device,
            List<String> names,
            Instant start,
            Instant end,
            Duration interval,
            Aggregation agg) {
        Map<String, Integer> ids = keys.existing(tenant, names);
        Map<Integer, String> byId = invert(ids);
        Map<String, List<Sample>> out = empty(names);
        if (ids.isEmpty()) {
            return out;
        }
        // sums of doubles depend on their order: in time order, whichever plan and storage
        // (raw or compacted) the points come from, an answer is the same to the last bit
        String expression = switch (agg) {
            case AVG -> "avg(coalesce(double_v, long_v) ORDER BY ts)";
            case MIN -> "min(coalesce(double_v, long_v))";
            case MAX -> "max(coalesce(double_v, long_v))";
            case SUM -> "sum(coalesce(double_v, long_v) ORDER BY ts)";
            case COUNT, NONE -> "count(*)";
        };
        transactions.inTenant(
                tenant,
                () -> jdbc.sql(BUCKETS.formatted(expression))
                        .params(
                                interval.toMillis() / 1000.0,
                                utc(start),
                                device,
                                ids.values().toArray(Integer[]::new),
                                utc(start),
                                utc(end))
                        .query(rs -> {
                            Object v = rs.getObject("v");
                            // counts stay integers; the other aggregates are doubles (null without numeric values)
                            Object value = v == null
                                    ? null
                                    : agg == Aggregation.COUNT
                                            ? (Object) ((Number) v).longValue()
                                            : (Object) ((Number) v).doubleValue();
                            out.get(byId.get(rs.getInt("key_id")))
                                    .add(new Sample(
                                            rs.getObject("bucket", OffsetDateTime.class)
                                                    .toInstant()
                                                    .toEpochMilli(),
                                            value));
                        }));
        return out;
    }

    /** The newest value of each key (all keys when {@code names} is empty). */
    Map<String, Sample> latest(TenantId tenant, UUID device, List<String> names) {
        Map<String, Sample> out = new LinkedHashMap<>();
        transactions.inTenant(
                tenant,
                () -> jdbc.sql(LATEST)
                        .params(device, names.toArray(String[]::new), names.toArray(String[]::new))
                        .query(rs -> {
                            out.put(
                                    rs.getString("key"),
                                    new Sample(
                                            rs.getObject("ts", OffsetDateTime.class)
                                                    .toInstant()
                                                    .toEpochMilli(),
                                            value(rs)));
                        }));
        return out;
    }

    private Object value(java.sql.ResultSet rs) throws java.sql.SQLException {
        long l = rs.getLong("long_v");
        if (!rs.wasNull()) {
            return l;
        }
        double d = rs.getDouble("double_v");
        if (!rs.wasNull()) {
            return d;
        }
        boolean b = rs.getBoolean("bool_v");
        if (!rs.wasNull()) {
            return b;
        }
        String s = rs.getString("str_v");
        if (s != null) {
            return s;
        }
        String j = rs.getString("json_v");
        return j == null ? null : json.readValue(j, Object.class);
    }

    private static Map<String, List<Sample>> empty(List<String> names) {
        Map<String, List<Sample>> out = new LinkedHashMap<>();
        names.forEach(n -> out.put(n, new ArrayList<>()));
        return out;
    }

    private static Map<Integer, String> invert(Map<String, Integer> ids) {
        Map<Integer, String> out = new HashMap<>();
        ids.forEach((k, v) -> out.put(v, k));
        return out;
    }

    private static OffsetDateTime utc(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
