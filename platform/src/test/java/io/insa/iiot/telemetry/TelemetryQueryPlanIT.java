package io.insa.iiot.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.PlanData;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The telemetry statements, as the application runs them, use the indexes on a table of 800,000 rows. */
class TelemetryQueryPlanIT extends IntegrationTest {

    @Test
    void latestValuesUseThePrimaryKey() throws Exception {
        PlanData data = PlanData.get(fixture);
        String plan = data.explain(
                TelemetryQueries.LATEST, data.device, new String[] {"temperature"}, new String[] {"temperature"});
        assertThat(plan).contains("Index").doesNotContain("Seq Scan on telemetry_latest");
    }

    @Test
    void aTimeRangeOfOneKeyUsesTheIndexOfOnePartition() throws Exception {
        PlanData data = PlanData.get(fixture);
        OffsetDateTime end = OffsetDateTime.now(ZoneOffset.UTC);
        String plan = data.explain(TelemetryQueries.RAW, data.device, data.keyId, end.minusHours(1), end, 1000);
        assertThat(plan).contains("Index").doesNotContain("Seq Scan");
    }

    @Test
    void bucketedAggregatesUseTheIndex() throws Exception {
        PlanData data = PlanData.get(fixture);
        OffsetDateTime end = OffsetDateTime.now(ZoneOffset.UTC);
        String plan = data.explain(
                TelemetryQueries.BUCKETS.formatted("avg(coalesce(double_v, long_v) ORDER BY ts)"),
                60.0,
                end.minusHours(2),
                data.device,
                new Integer[] {data.keyId},
                end.minusHours(2),
                end);
        assertThat(plan).contains("Index").doesNotContain("Seq Scan");
    }
}
