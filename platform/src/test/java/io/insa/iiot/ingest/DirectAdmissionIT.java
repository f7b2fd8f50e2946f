package io.insa.iiot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.device.DeviceCredentials;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Transports hand a message over on their event loop only when ingest can admit it from memory: its
 * tenant and today's quota counted there already. Anything that reads the database waits elsewhere.
 */
@Timeout(60)
class DirectAdmissionIT extends IntegrationTest {

    @Autowired
    DeviceCredentials devices;

    @Autowired
    IngestService ingest;

    @Test
    void aTenantIsAdmittedWithoutWaitingOnlyOnceItsTenantAndQuotaAreInMemory() throws Exception {
        UUID tenant = fixture.tenant(Fixture.unique("Direct admission"));
        Fixture.Member operator = fixture.member(tenant, "operator");
        Fixture.DeviceHandle handle = fixture.device(operator.accessToken(), Fixture.unique("meter"));
        DeviceIdentity device = devices.authenticate(handle.token()).orElseThrow();

        assertThat(ingest.admitsWithoutWaiting(TenantId.of(tenant)))
                .as("before its first message: the tenant and its quota are read from the database")
                .isFalse();

        assertThat(ingest.telemetry(device, "{\"t\": 1}".getBytes(StandardCharsets.UTF_8))
                        .get(10, TimeUnit.SECONDS))
                .isInstanceOf(IngestResult.Accepted.class);
        assertThat(ingest.admitsWithoutWaiting(TenantId.of(tenant))).isTrue();

        // a change to the tenant drops it from memory: the next message reads it again, wherever it waits
        Api.Response suspended = api.patch("/api/v1/tenants/" + tenant, Map.of("status", "suspended"))
                .bearer(fixture.adminToken())
                .send();
        assertThat(suspended.status()).isEqualTo(200);
        assertThat(ingest.admitsWithoutWaiting(TenantId.of(tenant))).isFalse();
        assertThat(ingest.telemetry(device, "{\"t\": 2}".getBytes(StandardCharsets.UTF_8))
                        .get(10, TimeUnit.SECONDS))
                .isInstanceOf(IngestResult.Rejected.class);
    }
}
