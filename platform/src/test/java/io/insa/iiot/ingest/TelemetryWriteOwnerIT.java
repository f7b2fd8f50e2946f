package io.insa.iiot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insa.iiot.device.DeviceCredentials;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.EvaluationStall;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Points;
import io.insa.iiot.support.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The telemetry write has one owner: whatever writes telemetry (devices through ingest, anomaly scores)
 * stores nothing for a deleted device, a batch that fails gives back every point it took from the
 * quota, and whoever evaluates committed telemetry cannot hold up the write.
 */
@Timeout(120)
class TelemetryWriteOwnerIT extends IntegrationTest {

    @Autowired
    EvaluationStall stall;

    @Autowired
    IngestService ingest;

    @Autowired
    DeviceCredentials devices;

    @Autowired
    MeterRegistry meters;

    @Test
    void devicesAreAcknowledgedWhileEveryListenerOfCommittedTelemetryHangs() {
        Fixture.Member operator = fixture.member(fixture.tenant("Writer stall"), "operator");
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("steady"));
        long seenBefore = stall.seenPoints();

        stall.stall();
        try {
            for (int i = 0; i < 6; i++) {
                Api.Response stored = fixture.telemetry(device.token(), Map.of("level", i));
                assertThat(stored.status())
                        .as("message %d while the listeners hang: %s", i, stored)
                        .isEqualTo(200);
            }
        } finally {
            stall.release();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> stall.seenPoints() - seenBefore >= 6);
    }

    /**
     * Scores come after the values they judge; the device is deleted in between. The scores must not
     * be written: they would bring back latest values the deletion removed.
     */
    @Test
    void scoresOfADeviceDeletedBeforeTheyAreWrittenAreNotStored() throws Exception {
        UUID tenant = fixture.tenant("Writer deletion");
        Fixture.Member admin = fixture.member(tenant, "admin");
        fixture.anomalyDetectionOn(admin.accessToken());
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), Fixture.unique("doomed"));
        long scoredBefore = meters.timer("insa.analytics.scoring").count();

        stall.stall();
        try {
            // one message: a listener that hangs on the writer's thread (as before the hand-off) still
            // lets it be acknowledged
            Api.Response value = fixture.telemetry(device.token(), Map.of("temp", 21.5));
            assertThat(value.status()).as(value.toString()).isEqualTo(200);
            assertThat(api.delete("/api/v1/devices/" + device.id())
                            .bearer(admin.accessToken())
                            .send()
                            .status())
                    .isEqualTo(204);
        } finally {
            stall.release();
        }

        await().atMost(Duration.ofSeconds(30))
                .until(() -> meters.timer("insa.analytics.scoring").count() > scoredBefore);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(Points.count(tenant, device.id(), "temp.anomaly_score"))
                    .as("scores stored for the deleted device")
                    .isZero();
            assertThat(Points.latest(tenant, device.id()))
                    .as("latest values of the deleted device")
                    .isZero();
        });
    }

    @Test
    void aBatchThatFailsGivesBackEveryPointItTookFromTheQuota() throws Exception {
        UUID tenant = fixture.tenant("Writer quota", Map.of("max_telemetry_points_per_day", 6));
        Fixture.Member operator = fixture.member(tenant, "operator");
        List<Ingest.Part> parts = new ArrayList<>();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("part"));
            DeviceIdentity identity = devices.authenticate(device.token()).orElseThrow();
            parts.add(new Ingest.Part(identity, "{\"a\": 1, \"b\": 2}".getBytes(StandardCharsets.UTF_8)));
            ids.add(device.id());
        }

        refuseUsageOf(tenant, true);
        IngestResult failed;
        try {
            failed = ingest.telemetry(parts).get(30, TimeUnit.SECONDS);
        } finally {
            refuseUsageOf(tenant, false);
        }
        IngestResult retried = ingest.telemetry(parts).get(30, TimeUnit.SECONDS);

        assertThat(failed).as("the batch the database refused").isInstanceOf(IngestResult.Failed.class);
        assertThat(retried)
                .as("the same 6 points again, on a daily quota of 6: every reservation came back")
                .isInstanceOf(IngestResult.Accepted.class);
        for (UUID id : ids) {
            assertThat(Points.count(tenant, id, "a")).isEqualTo(1);
        }
        assertThat(Points.usage(tenant))
                .as("points and messages counted once: the failed batch's count went with its rows")
                .containsExactly(6L, 3L);
    }

    /** A trigger that makes the tenant's usage update fail: the batch's transaction fails after its rows. */
    private static void refuseUsageOf(UUID tenant, boolean refuse) throws Exception {
        String name = "it_refuse_usage_" + tenant.toString().replace("-", "");
        try (Connection owner = TestDatabase.get().connectAsOwner();
                Statement s = owner.createStatement()) {
            if (refuse) {
                s.execute("""
                        CREATE FUNCTION %1$s() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN
                          IF NEW.tenant_id = '%2$s' THEN RAISE EXCEPTION 'usage refused by the test'; END IF;
                          RETURN NEW;
                        END $$""".formatted(name, tenant));
                s.execute(
                        "CREATE TRIGGER %1$s BEFORE INSERT OR UPDATE ON telemetry_usage FOR EACH ROW EXECUTE FUNCTION %1$s()"
                                .formatted(name));
            } else {
                s.execute("DROP TRIGGER IF EXISTS %1$s ON telemetry_usage".formatted(name));
                s.execute("DROP FUNCTION IF EXISTS %1$s()".formatted(name));
            }
        }
    }
}
