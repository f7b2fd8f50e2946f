package io.insa.iiot.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.PlanData;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device list page, as the application runs it, walks the (tenant_id, created_at, id) index. */
class DeviceListPlanIT extends IntegrationTest {

    @Test
    void aPageOfATenThousandDeviceTenantUsesTheIndex() throws Exception {
        PlanData data = PlanData.get(fixture);
        var filter = new DeviceRepository.Filter(
                null, null, null, null, OffsetDateTime.now().minusMinutes(10));
        List<String> plan =
                data.withClient(jdbc -> DeviceRepository.where(jdbc.sql("EXPLAIN " + DeviceRepository.PAGE), filter)
                        .param("limit", 50)
                        .param("offset", 0)
                        .query(String.class)
                        .list());
        assertThat(String.join("\n", plan))
                .contains("devices_tenant_created_idx")
                .doesNotContain("Seq Scan");
    }
}
