package io.insa.iiot.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.PlanData;
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

/**
 * The write path's check that a batch's devices exist looks each one up by its id, also for a tenant
 * whose thousands of devices the planner's statistics do not know yet.
 */
class ExistingDevicesPlanIT extends IntegrationTest {

    @Test
    void aTenantJustProvisionedIsNotReadWholeForEachBatch() throws Exception {
        PlanData.get(fixture); // statistics that know two other tenants of 10,000 devices each
        UUID tenant = fixture.tenant("Just provisioned", Map.of("max_devices", PlanData.DEVICES));
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false); // the devices stay uncommitted: no autovacuum can analyze them meanwhile
            try (PreparedStatement set = c.prepareStatement("SELECT set_config('app.tenant_id', ?, true)")) {
                set.setString(1, tenant.toString());
                set.execute();
            }
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO devices (id, tenant_id, name, type, created_at, updated_at)"
                        + " SELECT gen_random_uuid(), '" + tenant + "', 'd-' || i, 'sensor', now(), now()"
                        + " FROM generate_series(1, " + PlanData.DEVICES + ") i");
            }
            List<UUID> batch = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT id FROM devices ORDER BY random() LIMIT 300")) {
                while (rs.next()) {
                    batch.add(rs.getObject(1, UUID.class));
                }
            }
            List<String> plan = new ArrayList<>();
            try (PreparedStatement explain =
                    c.prepareStatement("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + DeviceRepository.EXISTING)) {
                explain.setArray(1, c.createArrayOf("uuid", batch.toArray()));
                try (ResultSet rs = explain.executeQuery()) {
                    while (rs.next()) {
                        plan.add(rs.getString(1));
                    }
                }
            }
            c.rollback();
            assertThat(plan)
                    .as("each id is an index condition, no device of the tenant is read and filtered out")
                    .anyMatch(line -> line.strip().startsWith("Index Cond:") && line.contains("id = u.id"))
                    .noneMatch(line -> line.contains("Rows Removed by Filter"));
        }
    }
}
