package io.insa.iiot.connector.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * The connector against an OPC UA server we did not write: node-opcua (src/test/node/opcua-fixture,
 * installed by {@code ./iiot test}) run as a separate process.
 */
class NodeOpcUaServerIT extends IntegrationTest {

    private static final Path FIXTURE = Path.of("src/test/node/opcua-fixture");

    @Test
    @Timeout(120)
    void valuesFromANodeOpcUaServerLandAndAWriteReachesIt() throws Exception {
        assertThat(FIXTURE.resolve("node_modules/node-opcua"))
                .as("node-opcua is installed (./iiot test runs npm ci in %s)", FIXTURE)
                .exists();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process node = new ProcessBuilder("node", "server.js", Integer.toString(port))
                .directory(FIXTURE.toFile())
                .redirectErrorStream(true)
                .start();
        try {
            String endpoint = ready(node).get(60, TimeUnit.SECONDS);
            Fixture.Member admin = fixture.member(fixture.tenant("node-opcua"), "admin");
            Api.Response created = api.post(
                            "/api/v1/connectors/opcua",
                            Map.of(
                                    "name",
                                    "node-opcua line",
                                    "endpoint_url",
                                    endpoint,
                                    "mappings",
                                    List.of(
                                            OpcUaConnectorIT.mapping(
                                                    "ns=1;s=Line1.Temperature", "node-line", "temperature"),
                                            OpcUaConnectorIT.mapping("ns=1;s=Line1.Running", "node-line", "running"),
                                            OpcUaConnectorIT.mapping("ns=1;s=Line1.Count", "node-line", "count"),
                                            OpcUaConnectorIT.mapping(
                                                    "ns=1;s=Line1.Setpoint", "node-line", "setpoint"))))
                    .bearer(admin.accessToken())
                    .send();
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.json().get("id").asString();
            await().atMost(Duration.ofSeconds(40))
                    .until(() -> api.get("/api/v1/connectors/opcua/" + id + "/status")
                            .bearer(admin.accessToken())
                            .send()
                            .json()
                            .get("state")
                            .asString()
                            .equals("connected"));
            UUID[] device = new UUID[1];
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonNode items = api.get("/api/v1/devices?name=node-line")
                        .bearer(admin.accessToken())
                        .send()
                        .json()
                        .get("items");
                if (items.isEmpty()) {
                    return false;
                }
                device[0] = UUID.fromString(items.get(0).get("id").asString());
                return true;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonNode latest = api.get("/api/v1/devices/" + device[0] + "/telemetry/latest")
                        .bearer(admin.accessToken())
                        .send()
                        .json()
                        .get("values");
                return latest.has("temperature") && latest.has("running") && latest.has("count");
            });
            Api.Response written = api.post(
                            "/api/v1/devices/" + device[0] + "/commands",
                            Map.of("method", "write", "params", Map.of("key", "setpoint", "value", 7.5)))
                    .bearer(admin.accessToken())
                    .send();
            assertThat(written.json().at("/response/status_code").asString())
                    .as(written.toString())
                    .isEqualTo("Good");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> api.get("/api/v1/devices/" + device[0] + "/telemetry/latest?keys=setpoint")
                                    .bearer(admin.accessToken())
                                    .send()
                                    .json()
                                    .at("/values/setpoint/value")
                                    .asDouble()
                            == 7.5);
        } finally {
            node.destroy();
            node.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The endpoint URL the server prints once it listens. */
    private static CompletableFuture<String> ready(Process node) {
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("ready ")) {
                        ready.complete(line.substring("ready ".length()).strip());
                    }
                }
                ready.completeExceptionally(new IllegalStateException("node-opcua ended before it listened"));
            } catch (Exception e) {
                ready.completeExceptionally(e);
            }
        });
        return ready;
    }
}
