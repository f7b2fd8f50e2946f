package io.insa.iiot.connector.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.OpcUaTestServer;
import io.insa.iiot.support.PlatformProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * SPEC 2: of several nodes, exactly one runs a connector's session, and when that node dies another
 * takes the connector over within 30 s; every node answers its status alike. The second node is the
 * built jar in a process of its own, on the same database; the connector is made through it, so it
 * runs there first.
 */
class ConnectorsAcrossNodesIT extends IntegrationTest {

    @Test
    @Timeout(240)
    void aConnectorRunsOnOneNodeAndMovesToAnotherWhenItsNodeDies() throws Exception {
        Fixture.Member admin = fixture.member(fixture.tenant(Fixture.unique("OPC UA nodes")), "admin");
        try (OpcUaTestServer server = OpcUaTestServer.start(1);
                PlatformProcess node2 =
                        PlatformProcess.start(Map.of("insa.connectors.opcua.allowed-networks", "127.0.0.1/32"))) {
            Api onNode2 = new Api(node2.port());
            Api.Response created = onNode2.post(
                            "/api/v1/connectors/opcua",
                            Map.of(
                                    "name", "Press line",
                                    "endpoint_url", server.endpointUrl(),
                                    "mappings",
                                            List.of(OpcUaConnectorIT.mapping(
                                                    server.nodeId("Temperature0"), "press-1", "temperature"))))
                    .bearer(admin.accessToken())
                    .send();
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.json().get("id").asString();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> state(onNode2, admin, id).equals("connected"));
            // this node leaves it to node 2, check after check, and shows what node 2 says of it
            Thread.sleep(3_000); // three ownership checks of this node (insa.opcua.ownership-check=1s)
            assertThat(state(api, admin, id))
                    .as("status through the other node")
                    .isEqualTo("connected");

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !api.get("/api/v1/devices?name=press-1")
                            .bearer(admin.accessToken())
                            .send()
                            .json()
                            .at("/items/0/id")
                            .asString()
                            .isEmpty());
            UUID device = UUID.fromString(api.get("/api/v1/devices?name=press-1")
                    .bearer(admin.accessToken())
                    .send()
                    .json()
                    .at("/items/0/id")
                    .asString());
            await().atMost(Duration.ofSeconds(30)).until(() -> latestTs(admin, device) > 0);

            node2.kill();
            Thread.sleep(2_000); // what node 2 had on its way is written by now; nothing more comes from it
            long before = latestTs(admin, device);
            // within 30 s of the kill another node runs the connector and its values arrive again; which
            // node takes it is whichever checks first (the suite's other Spring contexts are nodes too)
            await().atMost(Duration.ofSeconds(28)).until(() -> latestTs(admin, device) > before);
        }
    }

    private static String state(Api node, Fixture.Member admin, String id) {
        return node.get("/api/v1/connectors/opcua/" + id + "/status")
                .bearer(admin.accessToken())
                .send()
                .json()
                .get("state")
                .asString();
    }

    private long latestTs(Fixture.Member admin, UUID device) {
        JsonNode values = api.get("/api/v1/devices/" + device + "/telemetry/latest")
                .bearer(admin.accessToken())
                .send()
                .json()
                .get("values");
        return values.has("temperature") ? values.at("/temperature/ts").asLong() : 0;
    }
}
