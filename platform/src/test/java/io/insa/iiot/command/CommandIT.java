package io.insa.iiot.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Commands to devices over HTTP long poll, with answers, timeouts and offline devices (MQTT: MqttTransportIT). */
public class CommandIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Fixture.Member operator;

    @Autowired
    CommandChannels channels;

    @BeforeEach
    void tenant() {
        if (operator == null) {
            operator = fixture.member(fixture.tenant("Commands"), "operator");
        }
    }

    @Test
    void aCommandToAnOfflineDeviceIs409AndAudited() {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("offline"));
        Api.Response response = command(device.id(), Map.of("method", "reboot"));
        assertThat(response.status()).isEqualTo(409);
        assertThat(response.json().get("detail").asString()).contains("offline");
        JsonNode audit = api.get("/api/v1/audit?action=command.send&target_id=" + device.id())
                .bearer(fixture.adminToken())
                .send()
                .json();
        assertThat(audit.at("/items/0/outcome").asString()).isEqualTo("offline");
    }

    @Test
    void aLongPollingHttpDeviceGetsTheCommandAndItsAnswerReturns() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("poller"));
        CompletableFuture<Void> deviceSide = CompletableFuture.runAsync(() -> {
            HttpResponse<String> poll = http("GET", "/api/v1/" + device.token() + "/rpc?timeout=10000", null);
            assertThat(poll.statusCode()).isEqualTo(200);
            JsonNode command = JSON.readTree(poll.body());
            assertThat(command.get("method").asString()).isEqualTo("setValve");
            assertThat(command.at("/params/open").asBoolean()).isTrue();
            HttpResponse<String> answer = http(
                    "POST",
                    "/api/v1/" + device.token() + "/rpc/" + command.get("id").asString(),
                    "{\"ok\": true}");
            assertThat(answer.statusCode()).isEqualTo(200);
        });
        Api.Response response = untilListening(
                device.id(), Map.of("method", "setValve", "params", Map.of("open", true), "timeout_ms", 5000));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().get("status").asString()).isEqualTo("answered");
        assertThat(response.json().at("/response/ok").asBoolean()).isTrue();
        deviceSide.get(10, TimeUnit.SECONDS);
    }

    @Test
    @Timeout(30)
    void anAnswerThatIsNotJsonReachesTheOperatorAsAJsonString() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("sloppy"));
        String answerText = "OK {valve: open";
        CompletableFuture<Integer> deviceSide = CompletableFuture.supplyAsync(() -> {
            HttpResponse<String> poll = http("GET", "/api/v1/" + device.token() + "/rpc?timeout=10000", null);
            String id = JSON.readTree(poll.body()).get("id").asString();
            return http("POST", "/api/v1/" + device.token() + "/rpc/" + id, answerText)
                    .statusCode();
        });

        Api.Response response = untilListening(device.id(), Map.of("method", "status", "timeout_ms", 5000));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.json().get("status").asString()).isEqualTo("answered");
        assertThat(response.json().get("response").isString()).isTrue();
        assertThat(response.json().get("response").asString()).isEqualTo(answerText);
        assertThat(deviceSide.get(10, TimeUnit.SECONDS)).isEqualTo(200);
    }

    @Test
    void aDeviceThatDoesNotAnswerInTimeGives504AndOneWayCommandsDoNotWait() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("silent"));
        CompletableFuture<HttpResponse<String>> poll = CompletableFuture.supplyAsync(
                () -> http("GET", "/api/v1/" + device.token() + "/rpc?timeout=10000", null));
        Api.Response timedOut = untilListening(device.id(), Map.of("method", "ping", "timeout_ms", 300));
        assertThat(timedOut.status()).isEqualTo(504);
        assertThat(poll.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);

        CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(
                () -> http("GET", "/api/v1/" + device.token() + "/rpc?timeout=10000", null));
        Api.Response oneWay = untilListening(device.id(), Map.of("method", "blink", "one_way", true));
        assertThat(oneWay.status()).isEqualTo(200);
        assertThat(oneWay.json().get("status").asString()).isEqualTo("delivered");
        assertThat(JSON.readTree(second.get(10, TimeUnit.SECONDS).body())
                        .get("method")
                        .asString())
                .isEqualTo("blink");

        assertThat(http("GET", "/api/v1/" + device.token() + "/rpc?timeout=200", null)
                        .statusCode())
                .as("no command within the poll's timeout: 408, as ThingsBoard answers")
                .isEqualTo(408);
    }

    @Test
    @Timeout(30)
    void aLongPollEndsWith401WhenTheTokenItWasOpenedWithIsRotated() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("rotated-poller"));
        CompletableFuture<HttpResponse<String>> poll = CompletableFuture.supplyAsync(
                () -> http("GET", "/api/v1/" + device.token() + "/rpc?timeout=30000", null));
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> channels.channelOf(device.id()).isPresent());

        Api.Response rotated = api.post("/api/v1/devices/" + device.id() + "/token", Map.of())
                .bearer(operator.accessToken())
                .send();
        assertThat(rotated.status()).isEqualTo(200);

        assertThat(poll.get(1, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
        assertThat(channels.channelOf(device.id())).isEmpty();
    }

    @Test
    void viewersCannotSendCommands() {
        UUID tenant = fixture.tenant("Command roles");
        Fixture.Member viewer = fixture.member(tenant, "viewer");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), "valve");
        assertThat(api.post("/api/v1/devices/" + device.id() + "/commands", Map.of("method", "open"))
                        .bearer(viewer.accessToken())
                        .send()
                        .status())
                .isEqualTo(403);
        assertThat(api.post("/api/v1/devices/" + device.id() + "/commands", Map.of("method", ""))
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(400);
    }

    /** Sends the command, retrying while the device has not started listening yet (409). */
    public static Api.Response untilListening(Api api, String token, UUID device, Map<String, Object> body)
            throws InterruptedException {
        Api.Response response = api.post("/api/v1/devices/" + device + "/commands", body)
                .bearer(token)
                .send();
        for (int i = 0; i < 100 && response.status() == 409; i++) {
            Thread.sleep(50);
            response = api.post("/api/v1/devices/" + device + "/commands", body)
                    .bearer(token)
                    .send();
        }
        return response;
    }

    private Api.Response untilListening(UUID device, Map<String, Object> body) throws InterruptedException {
        return untilListening(api, operator.accessToken(), device, body);
    }

    private Api.Response command(UUID device, Map<String, Object> body) {
        return api.post("/api/v1/devices/" + device + "/commands", body)
                .bearer(operator.accessToken())
                .send();
    }

    private HttpResponse<String> http(String method, String path, String body) {
        return api.request(method, path, body).send().raw();
    }
}
