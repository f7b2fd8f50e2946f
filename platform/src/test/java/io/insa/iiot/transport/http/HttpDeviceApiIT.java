package io.insa.iiot.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Points;
import io.insa.iiot.transport.AttributeSubscriptions;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The device-bound side of the HTTP device API, on ThingsBoard's paths: attribute requests, the
 * long poll for shared attribute changes, the command poll's 408, client-side RPC, and the SDK's
 * empty connect check (commands and their answers: CommandIT).
 */
@Timeout(60)
class HttpDeviceApiIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static UUID tenant;
    private static Fixture.Member admin;

    @Autowired
    AttributeSubscriptions subscriptions;

    @BeforeEach
    void tenant() {
        if (tenant == null) {
            tenant = fixture.tenant("Http downlink");
            admin = fixture.member(tenant, "admin");
        }
    }

    @Test
    void aDeviceReadsItsClientAndSharedAttributesWithAndWithoutKeysButNeverServerOnes() {
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), Fixture.unique("reader"));
        assertThat(http("POST", "/api/v1/" + device.token() + "/attributes", "{\"fw\": \"1.2\", \"slots\": 4}")
                        .statusCode())
                .isEqualTo(200);
        patch(device.id(), "shared", Map.of("interval", 30, "mode", "eco"));
        patch(device.id(), "server", Map.of("secret", "s3"));

        JsonNode all = json(get(device.token(), "attributes"));
        assertThat(all.at("/client/fw").asString()).isEqualTo("1.2");
        assertThat(all.at("/client/slots").asInt()).isEqualTo(4);
        assertThat(all.at("/shared/interval").asInt()).isEqualTo(30);
        assertThat(all.at("/shared/mode").asString()).isEqualTo("eco");
        assertThat(all.propertyNames()).containsExactlyInAnyOrder("client", "shared");
        assertThat(all.toString()).doesNotContain("secret");

        JsonNode some = json(get(device.token(), "attributes?clientKeys=fw&sharedKeys=mode,secret"));
        assertThat(some.get("client").propertyNames()).containsExactly("fw");
        assertThat(some.get("shared").propertyNames()).containsExactly("mode");

        JsonNode sharedOnly = json(get(device.token(), "attributes?sharedKeys=interval"));
        assertThat(sharedOnly.propertyNames()).containsExactly("shared");
        assertThat(sharedOnly.at("/shared/interval").asInt()).isEqualTo(30);

        // ThingsBoard's Python SDK sends a list as repeated parameters, and its request_attributes snake_case names
        JsonNode repeated = json(get(device.token(), "attributes?sharedKeys=interval&sharedKeys=mode"));
        assertThat(repeated.get("shared").propertyNames()).containsExactlyInAnyOrder("interval", "mode");
        JsonNode snake = json(get(device.token(), "attributes?client_keys=slots&shared_keys=mode"));
        assertThat(snake.get("client").propertyNames()).containsExactly("slots");
        assertThat(snake.get("shared").propertyNames()).containsExactly("mode");

        assertThat(http("GET", "/api/v1/no-such-token/attributes", null).statusCode())
                .isEqualTo(401);
    }

    @Test
    void aSharedAttributeChangeAnswersTheLongPollAndARemovalIsSentAsDeleted() throws Exception {
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), Fixture.unique("watcher"));
        CompletableFuture<HttpResponse<String>> poll = pollAttributes(device);
        patch(device.id(), "shared", Map.of("interval", 15));
        HttpResponse<String> changed = poll.get(10, TimeUnit.SECONDS);
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(changed.body()).get("interval").asInt()).isEqualTo(15);

        CompletableFuture<HttpResponse<String>> next = pollAttributes(device);
        Map<String, Object> removal = new HashMap<>();
        removal.put("interval", null);
        patch(device.id(), "shared", removal);
        JsonNode removed = JSON.readTree(next.get(10, TimeUnit.SECONDS).body());
        assertThat(removed.get("deleted").valueStream().map(JsonNode::asString)).containsExactly("interval");

        patch(device.id(), "server", Map.of("note", "not for the device"));
        assertThat(subscriptions.listensTo(device.id())).isFalse();
    }

    @Test
    void idlePollsForAttributesAndCommandsAnswer408() {
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), Fixture.unique("idle"));
        assertThat(http("GET", "/api/v1/" + device.token() + "/attributes/updates?timeout=200", null)
                        .statusCode())
                .isEqualTo(408);
        assertThat(http("GET", "/api/v1/" + device.token() + "/rpc?timeout=200", null)
                        .statusCode())
                .as("no command within the poll's timeout")
                .isEqualTo(408);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"delete", "rotate"})
    void revokingTheDevicesCredentialsEndsItsAttributePollWith401(String how) throws Exception {
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), Fixture.unique("revoked-" + how));
        CompletableFuture<HttpResponse<String>> poll = pollAttributes(device);
        assertThat(poll).as("the poll is listening").isNotDone();
        Api.Response revoked = fixture.revoke(admin.accessToken(), device.id(), how);
        assertThat(revoked.status()).as(revoked.toString()).isIn(200, 204);
        assertThat(poll.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !subscriptions.listensTo(device.id()));
    }

    @Test
    void aClientRpcIsAnsweredByTheTenantsClientRpcRuleOrWithAnError() throws Exception {
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), Fixture.unique("asker"));
        String request = "{\"method\": \"getTime\", \"params\": {}}";
        HttpResponse<String> unanswered = http("POST", "/api/v1/" + device.token() + "/rpc", request);
        assertThat(unanswered.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(unanswered.body()).get("error").asString()).contains("getTime");

        Api.Response rule = api.post(
                        "/api/v1/rules",
                        Map.of(
                                "name", "time for devices",
                                "severity", "minor",
                                "key", "getTime",
                                "condition", Map.of("type", "client_rpc"),
                                "actions", List.of(Map.of("type", "rpc_reply", "response", Map.of("time", 1)))))
                .bearer(admin.accessToken())
                .send();
        assertThat(rule.status()).as(rule.toString()).isEqualTo(201);

        HttpResponse<String> answered = http("POST", "/api/v1/" + device.token() + "/rpc", request);
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(answered.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(JSON.readTree(answered.body()).get("time").asInt()).isEqualTo(1);

        assertThat(http("POST", "/api/v1/no-such-token/rpc", request).statusCode())
                .isEqualTo(401);
    }

    @Test
    void theSdksEmptyConnectCheckIsAcknowledgedAndStoresNothing() throws Exception {
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), Fixture.unique("connect-check"));
        Api.Response empty = fixture.telemetry(device.token(), "{}");
        assertThat(empty.status()).as(empty.toString()).isEqualTo(200);
        assertThat(Points.latest(tenant, device.id())).isZero();
        assertThat(fixture.telemetry(device.token(), "[]").status()).isEqualTo(400);
        assertThat(fixture.telemetry("no-such-token", "{}").status()).isEqualTo(401);
    }

    /** Starts a poll for shared attribute changes; returns once it is listening. */
    private CompletableFuture<HttpResponse<String>> pollAttributes(Fixture.DeviceHandle device) {
        CompletableFuture<HttpResponse<String>> poll = CompletableFuture.supplyAsync(
                () -> http("GET", "/api/v1/" + device.token() + "/attributes/updates?timeout=20000", null));
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> subscriptions.listensTo(device.id()) || poll.isDone());
        return poll;
    }

    private void patch(UUID device, String scope, Map<String, Object> values) {
        Api.Response patched = api.patch("/api/v1/devices/" + device + "/attributes/" + scope, values)
                .bearer(admin.accessToken())
                .send();
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    }

    private HttpResponse<String> get(String token, String path) {
        HttpResponse<String> response = http("GET", "/api/v1/" + token + "/" + path, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response;
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> http(String method, String path, String body) {
        return api.request(method, path, body).send().raw();
    }
}
