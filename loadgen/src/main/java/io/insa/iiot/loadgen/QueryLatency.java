package io.insa.iiot.loadgen;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Query latencies of SPEC 10 on a big tenant: a new tenant with {@code --devices} devices (created
 * through the API, as the console benchmark does) and {@code --points} telemetry points over the last
 * {@code --days} days, bulk-loaded with binary COPY as the owner role into the daily partitions (created
 * by the platform's own function, past days included), in {@code --streams} parallel streams; the keys,
 * latest values and daily usage counters of those points are written too, so that the API sees a tenant
 * that stored them. Then each query is sent through the REST API as the tenant admin, {@code --warmup}
 * times untimed and {@code --samples} times timed, one at a time; p50, p99 and max are printed beside
 * the target, and the plan (EXPLAIN ANALYZE, BUFFERS) of the SQL behind a query that misses its target,
 * run as the runtime role in the tenant's context. The telemetry is removed afterwards unless {@code
 * --keep true} (the tenant and its devices stay, as in the console benchmark).
 *
 * <p>Data layout: {@code --keys} numeric keys per device; {@code --dense-devices} devices report every
 * minute for the whole span (the SPEC's "one day of 1-minute averages"), the others share the rest of
 * the points at a regular interval (about 45 minutes with the defaults). The time-series queries ask
 * for a random dense device each time, the latest values for a random device of all.
 */
final class QueryLatency {

    private static final String[] KEY_NAMES = {
        "temperature", "humidity", "pressure", "voltage", "current", "power", "energy", "speed", "vibration", "level"
    };
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L; // 2000-01-01 in Unix microseconds
    private static final long DAY_MICROS = 86_400_000_000L;
    private static final long DENSE_STEP_MICROS = 60_000_000L;

    /** A query of the benchmark: a path per request, its target (NaN: none in SPEC 10), its SQL for EXPLAIN. */
    private record Query(String name, double targetMs, Function<Random, String> path, Function<Random, String> sql) {}

    /** One series' regular grid: point i at {@code start + phase + i * step}. */
    private record Grid(long phase, long step, int count) {}

    private final Options options;
    private final String url;

    QueryLatency(Options options) {
        this.options = options;
        this.url = options.get("url", options.get("base-url", "http://127.0.0.1:8080"));
    }

    void run() throws Exception {
        int deviceCount = options.integer("devices", 10_000);
        long points = Long.parseLong(options.get("points", "100000000"));
        int keyCount = options.integer("keys", 10);
        int days = options.integer("days", 30);
        int dense = Math.min(deviceCount, options.integer("dense-devices", 10));
        int streams = options.integer("streams", 2);
        int samples = options.integer("samples", 200);
        int warmup = options.integer("warmup", 50);
        boolean keep = Boolean.parseBoolean(options.get("keep", "false"));
        boolean explainAll = "all".equals(options.get("explain", "misses"));
        int auditEntries = options.integer("audit-entries", 100_000);
        if (keyCount < 1 || keyCount > KEY_NAMES.length) {
            throw new IllegalArgumentException("--keys must be 1 to " + KEY_NAMES.length);
        }
        System.out.printf("load:    load average (1, 5, 15 min) %s at the start%n", ConsolePagesLoad.loadAverage());

        // the tenant, its admin and its devices, through the API
        ConsolePagesLoad api = new ConsolePagesLoad(options);
        String slug = "query-" + Long.toString(System.currentTimeMillis(), 36);
        String email = "admin@" + slug + ".example";
        String password = ConsolePagesLoad.randomPassword();
        long started = System.nanoTime();
        String admin = api.tenantAdmin(slug, deviceCount, email, password);
        UUID tenant = UUID.fromString(api.call(admin, "GET", "/api/v1/auth/me", null)
                .path("tenant")
                .path("id")
                .asString());
        // the default retention (30 days) would delete the oldest points while the benchmark runs
        String system = login(api, api.systemAdmin());
        api.call(system, "PATCH", "/api/v1/tenants/" + tenant, Map.of("max_retention_days", days + 30));
        List<String[]> created = api.provision(admin, deviceCount);
        System.out.printf(
                "tenant:  %s (%s) with %d devices (CSV bulk calls through the API), tenant admin %s; %.1f s%n",
                slug, tenant, created.size(), email, (System.nanoTime() - started) / 1e9);
        System.out.printf(
                "audit:   %d entries in the tenant's audit log from the API (creating it, its admin and its devices)%n",
                api.call(admin, "GET", "/api/v1/audit?size=1", null)
                        .path("total")
                        .asLong());
        UUID[] devices = created.stream().map(d -> UUID.fromString(d[0])).toArray(UUID[]::new);

        // the points, as the owner role
        long end = Instant.now().truncatedTo(ChronoUnit.MINUTES).toEpochMilli() * 1000;
        long start = end - days * DAY_MICROS;
        long sparseSeries = (long) (deviceCount - dense) * keyCount;
        long denseCount = days * DAY_MICROS / DENSE_STEP_MICROS;
        long sparseRows = Math.max(0, points - dense * keyCount * denseCount);
        int sparseCount = sparseSeries == 0 ? 0 : (int) Math.max(1, sparseRows / sparseSeries);
        long sparseStep = sparseCount == 0 ? DAY_MICROS : days * DAY_MICROS / sparseCount;
        // the first sparse series take one point more each, so that the total is --points exactly
        long extra = sparseSeries == 0 ? 0 : Math.max(0, sparseRows - sparseSeries * sparseCount);
        Grid[] grids = new Grid[deviceCount * keyCount];
        for (int d = 0; d < deviceCount; d++) {
            for (int k = 0; k < keyCount; k++) {
                long sparseIndex = (long) (d - dense) * keyCount + k;
                int count = d < dense ? (int) denseCount : sparseCount + (sparseIndex < extra ? 1 : 0);
                long step = d < dense ? DENSE_STEP_MICROS : days * DAY_MICROS / count;
                // a phase per series, in whole seconds, so that devices do not all report at once
                long phase = Math.floorMod((long) (d * 7919 + k * 104729), step / 1_000_000) * 1_000_000;
                grids[d * keyCount + k] = new Grid(phase, step, count);
            }
        }
        Data data;
        try (Connection owner = owner()) {
            data = load(owner, tenant, devices, grids, keyCount, start, end, streams, dense, sparseStep);
            audit(owner, tenant, devices, auditEntries, start, end);
        }

        // the checkpointer and the page cache write back what the load and VACUUM dirtied: let them
        // (a checkpoint spreads its writes over most of checkpoint_timeout, 5 min by default)
        int settle = options.integer("settle", 300);
        String loadAfterLoad = ConsolePagesLoad.loadAverage();
        Thread.sleep(settle * 1000L);
        System.out.printf(
                "settle:  %d s of pause after the load: load average %s before it, %s after%n",
                settle, loadAfterLoad, ConsolePagesLoad.loadAverage());

        // the queries, through the API, as the tenant admin (a fresh token: the load may outlast the first)
        String token = login(api, Map.of("email", email, "password", password));
        List<Query> queries = queries(tenant, devices, dense, data.keyIds(), start, end);
        System.out.printf(
                "method:  per query %d untimed requests, then %d timed GETs one at a time from this process over"
                        + " loopback (Apache HttpClient 5 classic, one kept-alive HTTP/1.1 connection, bearer token of the tenant"
                        + " admin), each from sending the"
                        + " request to the last byte of the body; the time-series queries name a random one of the %d"
                        + " dense devices and a random key each time, the latest values a random device of all%n",
                warmup, samples, dense);
        String loadBefore = ConsolePagesLoad.loadAverage();
        List<Query> misses = new ArrayList<>();
        System.out.println("| query | target (SPEC 10) | p50 | p99 | max | answer | met? |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Query q : queries) {
            long[] bytes = new long[1];
            Histogram latency = measure(token, q, warmup, samples, bytes);
            double p99 = latency.getValueAtPercentile(99) / 1000.0;
            boolean met = Double.isNaN(q.targetMs()) || p99 < q.targetMs();
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %.1f ms | %.1f ms | %.1f ms | %.1f KB | %s |%n",
                    q.name(),
                    Double.isNaN(q.targetMs()) ? "none" : String.format(Locale.ROOT, "p99 < %.0f ms", q.targetMs()),
                    latency.getValueAtPercentile(50) / 1000.0,
                    p99,
                    latency.getMaxValue() / 1000.0,
                    bytes[0] / 1024.0 / samples,
                    Double.isNaN(q.targetMs()) ? "(no target)" : met ? "yes" : "NO");
            if ((!met || explainAll) && q.sql() != null) {
                misses.add(q);
            }
        }
        System.out.printf(
                "load:    load average (1, 5, 15 min) %s before the queries, %s after%n",
                loadBefore, ConsolePagesLoad.loadAverage());
        for (Query q : misses) {
            explain(tenant, q);
        }
        if (keep) {
            System.out.printf(
                    "kept:    the tenant's telemetry stays (tenant %s, partitions %s to %s); to remove it, as the"
                            + " owner: DELETE FROM <partition> WHERE tenant_id = '%s' for each, then its rows of"
                            + " telemetry_latest and telemetry_usage%n",
                    tenant, data.partitions().getFirst(), data.partitions().getLast(), tenant);
        } else {
            try (Connection owner = owner()) {
                remove(owner, tenant, data.partitions());
            }
        }
    }

    /** An access token; waits out the login rate limit (5 a minute per address) when a run follows another. */
    private static String login(ConsolePagesLoad api, Map<String, String> credentials)
            throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                return api.call(null, "POST", "/api/v1/auth/login", credentials)
                        .get("access_token")
                        .asString();
            } catch (IllegalStateException e) {
                if (attempt == 5 || !e.getMessage().contains(" -> 429 ")) {
                    throw e;
                }
                System.out.println("login:   429 (login rate limit), trying again in 15 s");
                Thread.sleep(15_000);
            }
        }
    }

    /** What the load left: the key ids (in key order) and the partitions it wrote to. */
    private record Data(int[] keyIds, List<String> partitions) {}

    private Data load(
            Connection owner,
            UUID tenant,
            UUID[] devices,
            Grid[] grids,
            int keyCount,
            long start,
            long end,
            int streams,
            int dense,
            long sparseStep)
            throws Exception {
        inTenant(owner, tenant);
        int[] keyIds = keys(owner, tenant, keyCount);
        // devices in the order of the primary key (uuid compares as unsigned bytes), so that every COPY
        // appends to the index instead of splitting pages all over it
        Integer[] order = new Integer[devices.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparing((Integer i) -> devices[i], QueryLatency::compareUnsigned));
        LocalDate first = day(start);
        LocalDate last = day(end - 1);
        List<LocalDate> dayList = first.datesUntil(last.plusDays(1)).toList();
        List<String> partitions = new ArrayList<>();
        for (LocalDate day : dayList) {
            try (Statement s = owner.createStatement();
                    ResultSet rs = s.executeQuery("SELECT app_ensure_telemetry_partition('" + day + "')")) {
                rs.next();
                partitions.add(rs.getString(1));
            }
        }
        long total = 0;
        for (Grid g : grids) {
            total += g.count();
        }
        System.out.printf(
                Locale.ROOT,
                "data:    %d points: %d devices x %d keys (double values), %s to %s (%d days); %d devices every"
                        + " minute, the other %d every %.1f min or a little less; daily partitions %s to %s (created by"
                        + " app_ensure_telemetry_partition where missing)%n",
                total,
                devices.length,
                keyCount,
                Instant.ofEpochSecond(0, start * 1000),
                Instant.ofEpochSecond(0, end * 1000),
                (end - start) / DAY_MICROS,
                dense,
                devices.length - dense,
                sparseStep / 60e6,
                partitions.getFirst(),
                partitions.getLast());
        long[] perDay = new long[dayList.size()];
        AtomicLong written = new AtomicLong();
        long copyStarted = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(streams);
        try {
            List<Future<?>> copies = new ArrayList<>();
            for (int i = 0; i < dayList.size(); i++) {
                int index = i;
                copies.add(pool.submit(() -> {
                    long dayStart = dayList.get(index).toEpochDay() * DAY_MICROS;
                    perDay[index] = copyDay(
                            tenant,
                            devices,
                            order,
                            grids,
                            keyIds,
                            start,
                            Math.max(start, dayStart),
                            Math.min(end, dayStart + DAY_MICROS),
                            partitions.get(index));
                    written.addAndGet(perDay[index]);
                    return null;
                }));
            }
            for (Future<?> copy : copies) {
                copy.get();
            }
        } finally {
            pool.shutdown();
        }
        double copySeconds = (System.nanoTime() - copyStarted) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "load:    %d rows in %.1f s = %.0f rows/s (binary COPY as the owner role into the daily partitions,"
                        + " one COPY per day, %d streams in parallel, rows in primary-key order)%n",
                written.get(),
                copySeconds,
                written.get() / copySeconds,
                streams);

        // what the platform keeps beside the points: latest values and daily counters
        long sideStarted = System.nanoTime();
        latest(owner, tenant, devices, grids, keyIds, start);
        try (PreparedStatement usage = owner.prepareStatement(
                "INSERT INTO telemetry_usage (tenant_id, day, points, messages) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (tenant_id, day) DO UPDATE SET points = telemetry_usage.points"
                        + " + excluded.points, messages = telemetry_usage.messages + excluded.messages")) {
            for (int i = 0; i < dayList.size(); i++) {
                usage.setObject(1, tenant);
                usage.setObject(2, dayList.get(i));
                usage.setLong(3, perDay[i]);
                usage.setLong(4, perDay[i] / keyCount);
                usage.addBatch();
            }
            usage.executeBatch();
        }
        System.out.printf(
                "load:    telemetry_latest (%d rows) and telemetry_usage (%d days) written in %.1f s%n",
                grids.length, dayList.size(), (System.nanoTime() - sideStarted) / 1e9);

        // as autovacuum would eventually: hint bits, visibility map and statistics, before measuring
        long vacuumStarted = System.nanoTime();
        owner.setAutoCommit(true);
        try (Statement s = owner.createStatement()) {
            for (String partition : partitions) {
                s.execute("VACUUM (ANALYZE) " + partition);
            }
            s.execute("ANALYZE telemetry");
            s.execute("VACUUM (ANALYZE) telemetry_latest");
        }
        System.out.printf(
                "load:    VACUUM (ANALYZE) of the %d partitions and telemetry_latest, ANALYZE telemetry: %.1f s%n",
                partitions.size(), (System.nanoTime() - vacuumStarted) / 1e9);
        try (Statement s = owner.createStatement();
                ResultSet rs = s.executeQuery("""
                        SELECT count(*), sum(pg_table_size(relid)), sum(pg_indexes_size(relid)),
                               sum(pg_total_relation_size(relid))
                        FROM pg_partition_tree('telemetry') WHERE isleaf""")) {
            rs.next();
            System.out.printf(
                    Locale.ROOT,
                    "size:    telemetry (all %d partitions, every tenant): table %.2f GiB, indexes %.2f GiB, total %.2f GiB%n",
                    rs.getLong(1),
                    rs.getLong(2) / 1073741824.0,
                    rs.getLong(3) / 1073741824.0,
                    rs.getLong(4) / 1073741824.0);
        }
        return new Data(keyIds, partitions);
    }

    /**
     * A month of a busy tenant's audit log: {@code count} entries spread evenly over the span, by one
     * user, on devices and rules (what the audit page lists and counts), written as the owner in the
     * tenant's context. The API's own entries for creating the tenant and its devices come on top.
     */
    private static void audit(Connection owner, UUID tenant, UUID[] devices, int count, long start, long end)
            throws SQLException {
        long started = System.nanoTime();
        owner.setAutoCommit(true);
        inTenant(owner, tenant);
        try (PreparedStatement insert = owner.prepareStatement("""
                INSERT INTO audit_log (id, at, tenant_id, actor_type, actor_id, actor_label, action, target_type,
                                       target_id, client_ip, outcome, details)
                SELECT gen_random_uuid(),
                       timestamptz 'epoch' + (? + g * ?) * interval '1 microsecond',
                       ?, 'user', 'query-benchmark', 'Query benchmark operator',
                       (ARRAY['device.update', 'rule.update', 'device.credentials_rotate', 'alert.acknowledge'])[1 + g % 4],
                       CASE WHEN g % 4 = 1 THEN 'rule' ELSE 'device' END,
                       (?::uuid[])[1 + g % cardinality(?::uuid[])]::text,
                       '10.0.0.' || (1 + g % 200), 'success', '{}'::jsonb
                FROM generate_series(0, ? - 1) AS g""")) {
            java.sql.Array ids = owner.createArrayOf("uuid", devices);
            insert.setLong(1, start);
            insert.setLong(2, count == 0 ? 0 : (end - start) / count);
            insert.setObject(3, tenant);
            insert.setArray(4, ids);
            insert.setArray(5, ids);
            insert.setInt(6, count);
            insert.executeUpdate();
        }
        try (Statement s = owner.createStatement()) {
            s.execute("ANALYZE audit_log");
        }
        System.out.printf(
                "audit:   %d entries written into the tenant's audit log over the same days, in %.1f s%n",
                count, (System.nanoTime() - started) / 1e9);
    }

    /** One day's rows of every series, in one binary COPY on a connection of its own; returns the count. */
    private long copyDay(
            UUID tenant,
            UUID[] devices,
            Integer[] order,
            Grid[] grids,
            int[] keyIds,
            long start,
            long from,
            long to,
            String partition)
            throws SQLException {
        int keyCount = keyIds.length;
        long rows = 0;
        try (Connection c = owner()) {
            CopyIn copy = c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn("COPY " + partition
                            + " (tenant_id, device_id, key_id, ts, double_v) FROM STDIN (FORMAT binary)");
            try {
                ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
                buffer.put("PGCOPY\n\377\r\n\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                buffer.putInt(0).putInt(0);
                for (int d : order) {
                    UUID device = devices[d];
                    for (int k = 0; k < keyCount; k++) {
                        Grid g = grids[d * keyCount + k];
                        long base = start + g.phase();
                        int i = (int) Math.max(0, Math.ceilDiv(from - base, g.step()));
                        int until = (int) Math.min(g.count(), Math.max(0, Math.ceilDiv(to - base, g.step())));
                        for (; i < until; i++) {
                            if (buffer.remaining() < 80) {
                                copy.writeToCopy(buffer.array(), 0, buffer.position());
                                buffer.clear();
                            }
                            long ts = base + i * g.step();
                            buffer.putShort((short) 5);
                            buffer.putInt(16)
                                    .putLong(tenant.getMostSignificantBits())
                                    .putLong(tenant.getLeastSignificantBits());
                            buffer.putInt(16)
                                    .putLong(device.getMostSignificantBits())
                                    .putLong(device.getLeastSignificantBits());
                            buffer.putInt(4).putInt(keyIds[k]);
                            buffer.putInt(8).putLong(ts - PG_EPOCH_MICROS);
                            buffer.putInt(8).putDouble(value(d, k, ts));
                            rows++;
                        }
                    }
                }
                buffer.putShort((short) -1);
                copy.writeToCopy(buffer.array(), 0, buffer.position());
                copy.endCopy();
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
        }
        return rows;
    }

    /** A plausible reading: a daily cycle per key, an offset per device, a little deterministic noise. */
    private static double value(int device, int key, long ts) {
        double cycle = Math.sin((ts % DAY_MICROS) * (2 * Math.PI / DAY_MICROS) + key);
        long h = (ts / 1_000_000) * 0x9E3779B97F4A7C15L + device * 31L + key;
        double noise = ((h >>> 40) & 0xFFFF) / 65536.0 - 0.5;
        return Math.round((20 + key * 10 + (device % 50) * 0.2 + 5 * cycle + noise) * 100) / 100.0;
    }

    /** The tenant's keys (created if missing, as the platform does); their ids in key order. */
    private static int[] keys(Connection owner, UUID tenant, int keyCount) throws SQLException {
        String[] names = Arrays.copyOf(KEY_NAMES, keyCount);
        try (PreparedStatement insert = owner.prepareStatement(
                "INSERT INTO telemetry_keys (tenant_id, key) SELECT ?, unnest(?::text[]) ON CONFLICT DO NOTHING")) {
            insert.setObject(1, tenant);
            insert.setArray(2, owner.createArrayOf("text", names));
            insert.executeUpdate();
        }
        Map<String, Integer> ids = new LinkedHashMap<>();
        try (PreparedStatement select =
                owner.prepareStatement("SELECT key, id FROM telemetry_keys WHERE key = ANY(?::text[])")) {
            select.setArray(1, owner.createArrayOf("text", names));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    ids.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return Arrays.stream(names).mapToInt(ids::get).toArray();
    }

    /** The newest point of each series in telemetry_latest, as the writer keeps it. */
    private static void latest(Connection owner, UUID tenant, UUID[] devices, Grid[] grids, int[] keyIds, long start)
            throws SQLException {
        int keyCount = keyIds.length;
        try (PreparedStatement insert = owner.prepareStatement("""
                INSERT INTO telemetry_latest (tenant_id, device_id, key_id, ts, double_v)
                SELECT ?, d, k, timestamptz 'epoch' + t * interval '1 microsecond', v
                FROM unnest(?::uuid[], ?::int[], ?::int8[], ?::float8[]) AS r(d, k, t, v)
                ON CONFLICT (tenant_id, device_id, key_id) DO UPDATE
                SET ts = excluded.ts, double_v = excluded.double_v""")) {
            int batch = 10_000;
            for (int from = 0; from < grids.length; from += batch) {
                int n = Math.min(batch, grids.length - from);
                UUID[] d = new UUID[n];
                Integer[] k = new Integer[n];
                Long[] t = new Long[n];
                Double[] v = new Double[n];
                for (int i = 0; i < n; i++) {
                    int series = from + i;
                    Grid g = grids[series];
                    long ts = start + g.phase() + (g.count() - 1L) * g.step();
                    d[i] = devices[series / keyCount];
                    k[i] = keyIds[series % keyCount];
                    t[i] = ts;
                    v[i] = value(series / keyCount, series % keyCount, ts);
                }
                insert.setObject(1, tenant);
                insert.setArray(2, owner.createArrayOf("uuid", d));
                insert.setArray(3, owner.createArrayOf("int4", k));
                insert.setArray(4, owner.createArrayOf("int8", t));
                insert.setArray(5, owner.createArrayOf("float8", v));
                insert.executeUpdate();
            }
        }
    }

    /**
     * The queries of SPEC 10 and of the issue, each as the REST call and as the SQL the platform runs
     * for it (the statements of TelemetryQueries, DeviceRepository, TelemetryUsageReport and
     * AuditRepository, with the parameters written in).
     */
    private List<Query> queries(UUID tenant, UUID[] devices, int dense, int[] keyIds, long start, long end) {
        String endIso = Instant.ofEpochSecond(0, end * 1000).toString();
        String dayIso = Instant.ofEpochSecond(0, (end - DAY_MICROS) * 1000).toString();
        String startIso = Instant.ofEpochSecond(0, start * 1000).toString();
        Function<Random, Integer> denseDevice = r -> r.nextInt(dense);
        List<Query> list = new ArrayList<>();
        // what any authenticated API call costs here (token check, one user and its memberships read,
        // JSON), to read the others against
        list.add(new Query("floor: GET /api/v1/auth/me (no telemetry)", Double.NaN, r -> "/api/v1/auth/me", null));
        list.add(new Query(
                "latest values of one device (all " + keyIds.length + " keys)",
                5,
                r -> "/api/v1/devices/" + devices[r.nextInt(devices.length)] + "/telemetry/latest",
                r -> """
                        SELECT k.key, l.ts, l.long_v, l.double_v, l.bool_v, l.str_v, l.json_v::text AS json_v
                        FROM telemetry_latest l JOIN telemetry_keys k ON k.tenant_id = l.tenant_id AND k.id = l.key_id
                        WHERE l.device_id = '%s' AND (cardinality('{}'::text[]) = 0 OR k.key = ANY('{}'::text[]))
                        ORDER BY k.key""".formatted(devices[r.nextInt(devices.length)])));
        list.add(new Query(
                "24 h raw points of one key (1,440 points)",
                Double.NaN,
                r -> "/api/v1/devices/" + devices[denseDevice.apply(r)] + "/telemetry?keys="
                        + KEY_NAMES[r.nextInt(keyIds.length)] + "&start=" + dayIso + "&end=" + endIso + "&limit=10000",
                r -> """
                        SELECT ts, long_v, double_v, bool_v, str_v, json_v::text AS json_v FROM telemetry
                        WHERE device_id = '%s' AND key_id = %d AND ts >= '%s' AND ts < '%s'
                        ORDER BY ts LIMIT 10000""".formatted(devices[denseDevice.apply(r)], keyIds[r.nextInt(keyIds.length)], dayIso, endIso)));
        list.add(new Query(
                "24 h of 1-minute averages of one key (1,440 buckets)",
                50,
                r -> "/api/v1/devices/" + devices[denseDevice.apply(r)] + "/telemetry?keys="
                        + KEY_NAMES[r.nextInt(keyIds.length)] + "&start=" + dayIso + "&end=" + endIso
                        + "&interval=1m&agg=avg",
                r -> buckets(devices[denseDevice.apply(r)], keyIds[r.nextInt(keyIds.length)], 60, dayIso, endIso)));
        list.add(new Query(
                "30 days of 1-hour averages of one key (720 buckets of 43,200 points)",
                Double.NaN,
                r -> "/api/v1/devices/" + devices[denseDevice.apply(r)] + "/telemetry?keys="
                        + KEY_NAMES[r.nextInt(keyIds.length)] + "&start=" + startIso + "&end=" + endIso
                        + "&interval=1h&agg=avg",
                r -> buckets(devices[denseDevice.apply(r)], keyIds[r.nextInt(keyIds.length)], 3600, startIso, endIso)));
        String[] filters = {"type=sensor&name=dev-01", "type=gateway&name=dev-0", "name=dev-09&page=5", "type=sensor"};
        list.add(new Query(
                "device list page of 50 with filters (type, name contains, page)",
                20,
                r -> "/api/v1/devices?size=50&" + filters[r.nextInt(filters.length)],
                r -> {
                    String conditions = "type = 'sensor' AND strpos(lower(name), lower('dev-01')) > 0";
                    return "SELECT * FROM devices WHERE " + conditions + " ORDER BY created_at, id LIMIT 50 OFFSET 0;\n"
                            + "SELECT count(*) FROM devices WHERE " + conditions;
                }));
        list.add(new Query("tenant stats", Double.NaN, r -> "/api/v1/tenants/" + tenant + "/stats", r -> {
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            LocalDate oldest = day(start);
            return "SELECT count(*) FROM devices;\n"
                    + "SELECT count(*) FROM devices WHERE connected OR last_seen_at >= now() - interval '5 minutes';\n"
                    + "SELECT coalesce(sum(points), 0) FROM telemetry_usage WHERE day = '" + today + "';\n"
                    + "SELECT coalesce(sum(points), 0) FROM telemetry_usage;\n"
                    + "SELECT EXISTS (SELECT 1 FROM telemetry WHERE ts >= '" + oldest + "T00:00:00Z' AND ts < '"
                    + oldest.plusDays(1) + "T00:00:00Z')";
        }));
        list.add(new Query("audit log page of 50", Double.NaN, r -> "/api/v1/audit?size=50", r -> """
                        SELECT * FROM audit_log a WHERE app_audit_matches(a, NULL::timestamptz, NULL::timestamptz,
                          NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::text)
                        ORDER BY a.at DESC, a.id DESC LIMIT 50 OFFSET 0;
                        SELECT count(*) FROM audit_log a WHERE app_audit_matches(a, NULL::timestamptz, NULL::timestamptz,
                          NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::text)"""));
        return list;
    }

    private static String buckets(UUID device, int keyId, int seconds, String from, String to) {
        return """
                SELECT key_id, date_bin(make_interval(secs => %d), ts, '%s') AS bucket, avg(coalesce(double_v, long_v)) AS v
                FROM telemetry WHERE device_id = '%s' AND key_id = ANY('{%d}'::int[]) AND ts >= '%s' AND ts < '%s'
                GROUP BY key_id, bucket ORDER BY key_id, bucket""".formatted(seconds, from, device, keyId, from, to);
    }

    /** An answer as the timed client read it. */
    private record Answer(int status, byte[] body) {}

    /**
     * Warm-up, then the timed requests; every answer must be 200. Apache HttpClient's classic (blocking)
     * client on one kept-alive connection: on this machine the JDK's HttpClient added 1 to 2 ms to
     * every request (its selector thread and hand-offs), a floor that would hide the server's own time.
     */
    private Histogram measure(String token, Query q, int warmup, int samples, long[] bytes) throws IOException {
        Random random = new Random(42);
        Histogram latency = new Histogram(3);
        try (CloseableHttpClient client = HttpClients.createDefault()) {
            for (int i = 0; i < warmup + samples; i++) {
                String path = q.path().apply(random);
                HttpGet get = new HttpGet(url + path);
                get.setHeader("Authorization", "Bearer " + token);
                long begin = System.nanoTime();
                Answer answer = client.execute(
                        get, response -> new Answer(response.getCode(), EntityUtils.toByteArray(response.getEntity())));
                long micros = Math.max(1, (System.nanoTime() - begin) / 1000);
                if (answer.status() != 200) {
                    throw new IllegalStateException("GET " + path + " -> " + answer.status() + " "
                            + new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8));
                }
                if (i >= warmup) {
                    latency.recordValue(micros);
                    bytes[0] += answer.body().length;
                }
            }
        }
        return latency;
    }

    /** EXPLAIN (ANALYZE, BUFFERS) of the query's SQL as the runtime role in the tenant's context. */
    private void explain(UUID tenant, Query q) throws SQLException {
        System.out.printf("explain: %s (runtime role, app.tenant_id set, parameters written in)%n", q.name());
        try (Connection app = DriverManager.getConnection(options.dbUrl(), options.appUser(), options.appPassword())) {
            inTenant(app, tenant);
            for (String sql : q.sql().apply(new Random(7)).split(";\n")) {
                System.out.println("  " + sql.strip().replace("\n", "\n  "));
                try (Statement s = app.createStatement();
                        ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
                    while (rs.next()) {
                        System.out.println("    " + rs.getString(1));
                    }
                }
            }
        }
    }

    /**
     * Removes the benchmark's telemetry: a partition holding only this tenant's rows is emptied with
     * TRUNCATE (under an exclusive lock, so that no other tenant's row can arrive between the check and
     * the truncation), one shared with other tenants with DELETE; then its latest values and counters.
     * Empty past partitions stay until the retention job drops them.
     */
    private static void remove(Connection owner, UUID tenant, List<String> partitions) throws SQLException {
        long started = System.nanoTime();
        owner.setAutoCommit(false);
        int truncated = 0;
        long deleted = 0;
        for (String partition : partitions) {
            try (Statement s = owner.createStatement()) {
                s.execute("LOCK TABLE " + partition + " IN ACCESS EXCLUSIVE MODE");
            }
            boolean shared;
            try (PreparedStatement others =
                    owner.prepareStatement("SELECT EXISTS (SELECT 1 FROM " + partition + " WHERE tenant_id <> ?)")) {
                others.setObject(1, tenant);
                try (ResultSet rs = others.executeQuery()) {
                    rs.next();
                    shared = rs.getBoolean(1);
                }
            }
            if (shared) {
                try (PreparedStatement delete =
                        owner.prepareStatement("DELETE FROM " + partition + " WHERE tenant_id = ?")) {
                    delete.setObject(1, tenant);
                    deleted += delete.executeUpdate();
                }
            } else {
                try (Statement s = owner.createStatement()) {
                    s.execute("TRUNCATE " + partition);
                }
                truncated++;
            }
            owner.commit();
        }
        inTenant(owner, tenant);
        try (Statement s = owner.createStatement()) {
            s.executeUpdate("DELETE FROM telemetry_latest");
            s.executeUpdate("DELETE FROM telemetry_usage");
            s.executeUpdate("DELETE FROM audit_log WHERE tenant_id = app_current_tenant()"
                    + " AND actor_id = 'query-benchmark'");
        }
        owner.commit();
        System.out.printf(
                "removed: the tenant's telemetry: %d partitions truncated, %d rows deleted from %d shared ones, its"
                        + " latest values, daily counters and the benchmark's audit entries, in %.1f s (the tenant and its devices stay)%n",
                truncated, deleted, partitions.size() - truncated, (System.nanoTime() - started) / 1e9);
    }

    private Connection owner() throws SQLException {
        return DriverManager.getConnection(options.dbUrl(), options.ownerUser(), options.ownerPassword());
    }

    /** The tenant context for the rest of the session (the policies compare tenant_id with it). */
    private static void inTenant(Connection c, UUID tenant) throws SQLException {
        try (PreparedStatement set = c.prepareStatement("SELECT set_config('app.tenant_id', ?, false)")) {
            set.setString(1, tenant.toString());
            set.execute();
        }
    }

    private static LocalDate day(long micros) {
        return LocalDate.ofEpochDay(Math.floorDiv(micros, DAY_MICROS));
    }

    private static int compareUnsigned(UUID a, UUID b) {
        int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }
}
