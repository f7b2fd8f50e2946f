package io.insa.iiot.loadgen;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What row-level security costs the batch writer: the writer's own statement (INSERT ... SELECT FROM
 * unnest(...) into the partitioned parent) timed twice over the same rows, once as the runtime role
 * under the tenant policy, once as the owner with the policy lifted ({@code NO FORCE ROW LEVEL
 * SECURITY}, inside a transaction). Both runs are rolled back, so the database is unchanged; the
 * ALTER holds an exclusive lock on the table while the second run lasts, so run this on a benchmark
 * installation, not on a busy one.
 */
final class RlsOverhead {

    private static final String INSERT = """
            INSERT INTO telemetry (tenant_id, device_id, key_id, ts, double_v)
            SELECT ?, d, k, timestamptz 'epoch' + t * interval '1 microsecond', v
            FROM unnest(?::uuid[], ?::int[], ?::int8[], ?::float8[]) AS r(d, k, t, v)""";

    private final Options options;

    RlsOverhead(Options options) {
        this.options = options;
    }

    void run() throws Exception {
        int rows = options.integer("rows", 1_000_000);
        int batch = options.integer("batch", 2_000);
        UUID tenant;
        try (Connection owner =
                DriverManager.getConnection(options.dbUrl(), options.ownerUser(), options.ownerPassword())) {
            CopyBaseline.partition(owner);
            tenant = someTenant(owner);
        }
        System.out.printf(
                "method:  the batch writer's INSERT ... unnest, %d rows in statements of %d, one transaction, rolled back%n",
                rows, batch);
        int rounds = options.integer("rounds", 3);
        double[] withRls = new double[rounds];
        double[] withoutRls = new double[rounds];
        // alternate the two, so that caches and WAL state favour neither
        for (int round = 0; round < rounds; round++) {
            try (Connection app =
                    DriverManager.getConnection(options.dbUrl(), options.appUser(), options.appPassword())) {
                app.setAutoCommit(false);
                try (PreparedStatement set = app.prepareStatement("SELECT set_config('app.tenant_id', ?, true)")) {
                    set.setString(1, tenant.toString());
                    set.execute();
                }
                withRls[round] = rows / time(app, tenant, rows, batch);
                app.rollback();
            }
            try (Connection owner =
                    DriverManager.getConnection(options.dbUrl(), options.ownerUser(), options.ownerPassword())) {
                owner.setAutoCommit(false);
                try (Statement s = owner.createStatement()) {
                    s.execute("ALTER TABLE telemetry NO FORCE ROW LEVEL SECURITY");
                }
                withoutRls[round] = rows / time(owner, tenant, rows, batch);
                owner.rollback();
            }
            System.out.printf(
                    "round %d: under RLS %.0f rows/s, without %.0f rows/s%n",
                    round + 1, withRls[round], withoutRls[round]);
        }
        double rls = median(withRls);
        double plain = median(withoutRls);
        System.out.printf(
                "result:  medians of %d rounds: under RLS (runtime role) %.0f rows/s; without RLS (owner, policy lifted) %.0f rows/s;"
                        + " RLS costs %.1f %%%n",
                rounds, rls, plain, (plain / rls - 1) * 100);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double time(Connection c, UUID tenant, int rows, int batch) throws Exception {
        long started = System.nanoTime();
        long now = Instant.now().toEpochMilli() * 1000;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (int done = 0; done < rows; done += batch) {
                int n = Math.min(batch, rows - done);
                UUID[] devices = new UUID[n];
                Integer[] keys = new Integer[n];
                Long[] ts = new Long[n];
                Double[] values = new Double[n];
                for (int i = 0; i < n; i++) {
                    devices[i] = UUID.randomUUID();
                    keys[i] = 1;
                    ts[i] = now - done - i;
                    values[i] = random.nextDouble();
                }
                insert.setObject(1, tenant);
                insert.setObject(2, devices);
                insert.setObject(3, keys);
                insert.setObject(4, ts);
                insert.setObject(5, values);
                insert.executeUpdate();
            }
        }
        return (System.nanoTime() - started) / 1e9;
    }

    private static UUID someTenant(Connection owner) throws Exception {
        try (Statement s = owner.createStatement();
                var rs = s.executeQuery("SELECT id FROM tenants ORDER BY created_at LIMIT 1")) {
            if (!rs.next()) {
                throw new IllegalStateException("no tenant yet: run the http mode (or create one) first");
            }
            return rs.getObject(1, UUID.class);
        }
    }
}
