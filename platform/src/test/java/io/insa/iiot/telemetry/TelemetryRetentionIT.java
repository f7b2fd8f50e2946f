package io.insa.iiot.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Retention: each tenant keeps its max_retention_days; partitions older than every tenant's go whole. */
class TelemetryRetentionIT extends IntegrationTest {

    @Autowired
    TelemetryRetention retention;

    @Test
    void rowsOlderThanTheTenantsRetentionGoAndPartitionsOlderThanEveryRetentionAreDropped() throws Exception {
        UUID shortLived = fixture.tenant("Short retention", Map.of("max_retention_days", 2));
        UUID longLived = fixture.tenant("Long retention", Map.of("max_retention_days", 3650));
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            for (int daysAgo : new int[] {0, 5, 400}) {
                run(c, "SELECT app_ensure_telemetry_partition((now() AT TIME ZONE 'UTC')::date - " + daysAgo + ")");
            }
            for (UUID tenant : List.of(shortLived, longLived)) {
                run(c, "SELECT set_config('app.tenant_id', '" + tenant + "', true)");
                run(
                        c,
                        "INSERT INTO telemetry (tenant_id, device_id, key_id, ts, long_v) SELECT '" + tenant
                                + "', gen_random_uuid(), 1, now() - d * interval '1 day', d FROM unnest(ARRAY[0, 5, 400]) d");
            }
            c.commit();
        }

        retention.run();

        assertThat(ages(shortLived)).containsExactly(0L);
        assertThat(ages(longLived)).containsExactly(0L, 5L, 400L);

        // with the long-lived tenant gone to a one-year retention, the 400-day-old partition goes whole
        api.patch("/api/v1/tenants/" + longLived, Map.of("max_retention_days", 365))
                .bearer(fixture.adminToken())
                .send();
        long before = partitions();
        retention.run();
        assertThat(ages(longLived)).containsExactly(0L, 5L);
        assertThat(partitions()).isLessThan(before);
    }

    private static List<Long> ages(UUID tenant) throws Exception {
        List<Long> out = new ArrayList<>();
        try (Connection c = TestDatabase.get().connectAsOwner();
                PreparedStatement s =
                        c.prepareStatement("SELECT long_v FROM telemetry WHERE tenant_id = ? ORDER BY long_v")) {
            s.setObject(1, tenant);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    private static long partitions() throws Exception {
        try (Connection c = TestDatabase.get().connectAsOwner();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT count(*) FROM pg_inherits WHERE inhparent = 'telemetry'::regclass")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void run(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
