package io.insa.iiot.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Points;
import io.insa.iiot.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What follows a device's deletion elsewhere (its open alerts cleared, its latest values removed) is
 * delivered through the event publication registry: a listener that fails neither fails nor undoes the
 * deletion, nor keeps the other listeners from running, and it is given the event again until it has
 * handled it.
 */
@Timeout(90)
class DeviceDeletionEventsIT extends IntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aListenerThatFailsLeavesTheDeletionAndTheOtherListenersAloneAndIsRetried() throws Exception {
        UUID tenant = fixture.tenant("Deletion events");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.DeviceHandle boiler = fixture.device(admin.accessToken(), Fixture.unique("boiler"));
        Api.Response rule = api.post(
                        "/api/v1/rules",
                        Map.of(
                                "name", "Hot",
                                "severity", "minor",
                                "scope",
                                        Map.of(
                                                "type",
                                                "devices",
                                                "device_ids",
                                                List.of(boiler.id().toString())),
                                "key", "temperature",
                                "condition", Map.of("type", "threshold", "operator", ">", "value", 80)))
                .bearer(admin.accessToken())
                .send();
        assertThat(rule.status()).as(rule.toString()).isEqualTo(201);
        assertThat(fixture.telemetry(boiler.token(), Map.of("temperature", 99)).status())
                .isEqualTo(200);
        await().atMost(WAIT).until(() -> openAlerts(admin, boiler) == 1);
        assertThat(Points.latest(tenant, boiler.id())).isEqualTo(1);

        // the listener that removes the latest values fails, as it would on a database error
        refuseDeletingLatestValuesOf(boiler.id(), true);
        try {
            assertThat(fixture.revoke(admin.accessToken(), boiler.id(), "delete")
                            .status())
                    .as("the deletion's answer")
                    .isEqualTo(204);
            assertThat(api.get("/api/v1/devices/" + boiler.id())
                            .bearer(admin.accessToken())
                            .send()
                            .status())
                    .isEqualTo(404);
            await().atMost(WAIT).until(() -> openAlerts(admin, boiler) == 0);
            assertThat(Points.latest(tenant, boiler.id()))
                    .as("latest values while their listener fails")
                    .isEqualTo(1);
        } finally {
            refuseDeletingLatestValuesOf(boiler.id(), false);
        }

        await().atMost(WAIT).until(() -> Points.latest(tenant, boiler.id()) == 0);
        await().atMost(WAIT).until(() -> publicationsNaming(boiler.id()) == 0);
    }

    private long openAlerts(Fixture.Member member, Fixture.DeviceHandle device) {
        return api.get("/api/v1/alerts?device_id=" + device.id() + "&status=active")
                .bearer(member.accessToken())
                .send()
                .json()
                .get("total")
                .asLong();
    }

    /** A trigger that makes deleting the device's latest values fail, or its removal. */
    private static void refuseDeletingLatestValuesOf(UUID device, boolean refuse) throws Exception {
        String trigger = "refuse_latest_delete_" + device.toString().replace("-", "");
        try (Connection owner = TestDatabase.get().connectAsOwner();
                Statement statement = owner.createStatement()) {
            if (refuse) {
                statement.execute("""
                        CREATE OR REPLACE FUNCTION test_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS
                        $$ BEGIN RAISE EXCEPTION 'deleting this row is refused by the test'; END $$""");
                statement.execute("CREATE TRIGGER " + trigger + " BEFORE DELETE ON telemetry_latest FOR EACH ROW"
                        + " WHEN (OLD.device_id = '" + device + "') EXECUTE FUNCTION test_refuse_delete()");
            } else {
                statement.execute("DROP TRIGGER IF EXISTS " + trigger + " ON telemetry_latest");
            }
        }
    }

    /** Event publications (pending or failed) whose event names the device. */
    private static int publicationsNaming(UUID device) throws Exception {
        try (Connection owner = TestDatabase.get().connectAsOwner();
                PreparedStatement query = owner.prepareStatement(
                        "SELECT count(*) FROM event_publication WHERE serialized_event LIKE ?")) {
            query.setString(1, "%" + device + "%");
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
