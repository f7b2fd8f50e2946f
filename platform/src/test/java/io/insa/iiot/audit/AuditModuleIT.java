package io.insa.iiot.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.support.IntegrationTest;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.test.ApplicationModuleTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * The audit trail on its own: Spring Modulith starts the {@code audit} module and the {@code shared} one
 * it uses, nothing else (no web server, no transports, no other feature), against the test database.
 */
@ApplicationModuleTest(ApplicationModuleTest.BootstrapMode.DIRECT_DEPENDENCIES)
@Timeout(60)
class AuditModuleIT {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        IntegrationTest.platformProperties().forEach((key, value) -> registry.add(key, () -> value));
    }

    /** Who may read the trail is tenancy's answer (it implements this port); not asked here. */
    @MockitoBean
    AuditAccess access;

    @Autowired
    AuditLog audit;

    @Autowired
    TenantTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ApplicationContext context;

    @Test
    void onlyTheAuditModuleAndWhatItUsesAreStarted() {
        assertThat(context.getBeanNamesForType(AuditLog.class)).hasSize(1);
        assertThat(context.containsBean("devices"))
                .as("a bean of the device module")
                .isFalse();
        assertThat(context.containsBean("tenants"))
                .as("a bean of the tenancy module")
                .isFalse();
    }

    @Test
    void aTenantSeesItsOwnEntriesOnlyAndASystemEventNone() {
        TenantId plant = new TenantId(UUID.randomUUID());
        TenantId other = new TenantId(UUID.randomUUID());
        String target = UUID.randomUUID().toString();
        audit.record(AuditEvent.success(plant, AuditEvent.Actor.system(), "module.check", "thing", target));
        audit.record(AuditEvent.success(other, AuditEvent.Actor.system(), "module.check", "thing", target));
        audit.record(AuditEvent.success(null, AuditEvent.Actor.system(), "module.check", "thing", target));

        assertThat(tenantsSeenBy(plant, target)).containsExactly(plant.value());
        assertThat(tenantsSeenBy(other, target)).containsExactly(other.value());
    }

    private List<UUID> tenantsSeenBy(TenantId tenant, String target) {
        return transactions.inTenant(
                tenant,
                () -> jdbc.sql("SELECT tenant_id FROM audit_log WHERE target_id = ?")
                        .param(target)
                        .query(UUID.class)
                        .list());
    }
}
