package io.insa.iiot.loadgen;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The raw PostgreSQL ceiling: the same rows the platform stores (tenant, device, key, time, value),
 * bulk-loaded with COPY into today's partition of the telemetry table, with its primary key index, on
 * the same machine. Runs as the owner role, which COPY needs (COPY cannot load a table under row-level
 * security, and partitions have no policy of their own). The rows are removed afterwards.
 */
final class CopyBaseline {

    private final Options options;

    CopyBaseline(Options options) {
        this.options = options;
    }

    void run() throws Exception {
        int rows = options.integer("rows", 3_000_000);
        int batch = options.integer("batch", 100_000);
        int devices = options.integer("devices", 10_000);
        int points = options.integer("points", 3);
        UUID tenant = UUID.randomUUID();
        UUID[] deviceIds = new UUID[devices];
        for (int i = 0; i < devices; i++) {
            deviceIds[i] = UUID.randomUUID();
        }
        try (Connection c =
                DriverManager.getConnection(options.dbUrl(), options.ownerUser(), options.ownerPassword())) {
            String partition = partition(c);
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            System.out.printf(
                    "method:  COPY (FORMAT csv) into %s as the owner role, %d rows in COPYs of %d, %d devices x %d keys%n",
                    partition, rows, batch, devices, points);
            long now = Instant.now().toEpochMilli() * 1000;
            long started = System.nanoTime();
            int written = 0;
            while (written < rows) {
                int n = Math.min(batch, rows - written);
                StringBuilder csv = new StringBuilder(n * 90);
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < n; i++) {
                    int row = written + i;
                    int message = row / points;
                    csv.append(tenant)
                            .append(',')
                            .append(deviceIds[message % devices])
                            .append(',')
                            .append(row % points + 1)
                            .append(',')
                            .append(Instant.ofEpochSecond(0, (now - message) * 1000L))
                            .append(',')
                            .append(Math.round(random.nextDouble() * 10000) / 100.0)
                            .append('\n');
                }
                copy.copyIn(
                        "COPY " + partition + " (tenant_id, device_id, key_id, ts, double_v) FROM STDIN (FORMAT csv)",
                        new StringReader(csv.toString()));
                written += n;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(
                    "result:  %d rows in %.2f s = %.0f points/s (COPY, autocommit per COPY)%n",
                    rows, seconds, rows / seconds);
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + partition + " WHERE tenant_id = ?")) {
                delete.setObject(1, tenant);
                delete.executeUpdate();
            }
        }
    }

    /** Today's partition, created if needed, by the platform's own function. */
    static String partition(Connection c) throws Exception {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT app_ensure_telemetry_partition('" + LocalDate.now(ZoneOffset.UTC) + "')")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
