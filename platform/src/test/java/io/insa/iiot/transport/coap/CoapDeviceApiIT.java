package io.insa.iiot.transport.coap;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Points;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The device-bound side of the CoAP device API, on ThingsBoard's paths: attribute requests, Observe on
 * attributes for shared attribute changes, client-side RPC and the empty connect check (commands:
 * CoapTransportIT).
 */
@Timeout(60)
class CoapDeviceApiIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static UUID tenant;
    private static Fixture.Member admin;

    @Autowired
    CoapTransport transport;

    @BeforeAll
    static void clientConfiguration() {
        Configuration.setStandard(Configuration.createStandardWithoutFile());
    }

    @BeforeEach
    void tenant() {
        if (tenant == null) {
            tenant = fixture.tenant("Coap downlink");
            admin = fixture.member(tenant, "admin");
        }
    }

    @Test
    void aDeviceReadsItsClientAndSharedAttributesWithAndWithoutKeys() throws Exception {
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), Fixture.unique("coap-reader"));
        CoapClient upload = new CoapClient(uri(device.token(), "attributes"));
        assertThat(upload.post("{\"fw\": \"1.2\", \"slots\": 4}", MediaTypeRegistry.APPLICATION_JSON)
                        .getCode())
                .isEqualTo(ResponseCode.CHANGED);
        upload.shutdown();
        patch(device.id(), "shared", Map.of("interval", 30, "mode", "eco"));
        patch(device.id(), "server", Map.of("secret", "s3"));

        JsonNode all = read(device.token(), "attributes");
        assertThat(all.at("/client/fw").asString()).isEqualTo("1.2");
        assertThat(all.at("/shared/interval").asInt()).isEqualTo(30);
        assertThat(all.propertyNames()).containsExactlyInAnyOrder("client", "shared");
        assertThat(all.toString()).doesNotContain("secret");

        JsonNode some = read(device.token(), "attributes?clientKeys=fw&sharedKeys=mode");
        assertThat(some.get("client").propertyNames()).containsExactly("fw");
        assertThat(some.get("shared").propertyNames()).containsExactly("mode");
        JsonNode sharedOnly = read(device.token(), "attributes?sharedKeys=interval,mode");
        assertThat(sharedOnly.propertyNames()).containsExactly("shared");
        assertThat(sharedOnly.get("shared").propertyNames()).containsExactlyInAnyOrder("interval", "mode");

        CoapClient unknown = new CoapClient(uri("no-such-token", "attributes"));
        assertThat(unknown.get().getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        unknown.shutdown();
    }

    /** Observe on attributes: the shared attributes first, then each change; revoking the token ends it with 4.01. */
    @Test
    void anObserverOfAttributesIsToldOfEachSharedChangeUntilItsTokenIsRotated() throws Exception {
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), Fixture.unique("coap-watcher"));
        patch(device.id(), "shared", Map.of("interval", 30));
        CoapClient observer = new CoapClient(uri(device.token(), "attributes"));
        LinkedBlockingQueue<CoapResponse> notifications = new LinkedBlockingQueue<>();
        CompletableFuture<Void> failed = new CompletableFuture<>();
        CoapObserveRelation relation = observer.observe(new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                notifications.add(response);
            }

            @Override
            public void onError() {
                failed.complete(null);
            }
        });
        CoapResponse first = notifications.poll(10, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(first.getCode()).isEqualTo(ResponseCode.CONTENT);
        assertThat(JSON.readTree(first.getResponseText()).get("interval").asInt())
                .as("the first notification: the shared attributes as they are")
                .isEqualTo(30);

        patch(device.id(), "shared", Map.of("interval", 15));
        CoapResponse changed = notifications.poll(10, TimeUnit.SECONDS);
        assertThat(changed).isNotNull();
        assertThat(JSON.readTree(changed.getResponseText()).get("interval").asInt())
                .isEqualTo(15);
        Map<String, Object> removal = new HashMap<>();
        removal.put("interval", null);
        patch(device.id(), "shared", removal);
        CoapResponse removed = notifications.poll(10, TimeUnit.SECONDS);
        assertThat(removed).isNotNull();
        assertThat(JSON.readTree(removed.getResponseText())
                        .get("deleted")
                        .valueStream()
                        .map(JsonNode::asString))
                .containsExactly("interval");

        Api.Response rotated = fixture.revoke(admin.accessToken(), device.id(), "rotate");
        assertThat(rotated.status()).isEqualTo(200);
        CoapResponse end = notifications.poll(10, TimeUnit.SECONDS);
        assertThat(end).isNotNull();
        assertThat(end.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(end.getOptions().hasObserve())
                .as("the notification ends the observation")
                .isFalse();
        assertThat(failed).isNotDone();
        relation.proactiveCancel();
        observer.shutdown();
    }

    @Test
    void aClientRpcIsAnsweredByTheTenantsClientRpcRuleOrWithAnError() throws Exception {
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), Fixture.unique("coap-asker"));
        CoapClient rpc = new CoapClient(uri(device.token(), "rpc"));
        String request = "{\"method\": \"getLimits\", \"params\": {}}";
        CoapResponse unanswered = rpc.post(request, MediaTypeRegistry.APPLICATION_JSON);
        assertThat(unanswered.getCode()).isEqualTo(ResponseCode.CONTENT);
        assertThat(JSON.readTree(unanswered.getResponseText()).get("error").asString())
                .contains("getLimits");

        Api.Response rule = api.post(
                        "/api/v1/rules",
                        Map.of(
                                "name", "limits for devices",
                                "severity", "minor",
                                "key", "getLimits",
                                "condition", Map.of("type", "client_rpc"),
                                "actions", List.of(Map.of("type", "rpc_reply", "response", Map.of("max", 7)))))
                .bearer(admin.accessToken())
                .send();
        assertThat(rule.status()).as(rule.toString()).isEqualTo(201);

        CoapResponse answered = rpc.post(request, MediaTypeRegistry.APPLICATION_JSON);
        assertThat(answered.getCode()).isEqualTo(ResponseCode.CONTENT);
        assertThat(answered.getOptions().getContentFormat()).isEqualTo(MediaTypeRegistry.APPLICATION_JSON);
        assertThat(JSON.readTree(answered.getResponseText()).get("max").asInt()).isEqualTo(7);
        rpc.shutdown();

        CoapClient unknown = new CoapClient(uri("no-such-token", "rpc"));
        assertThat(unknown.post(request, MediaTypeRegistry.APPLICATION_JSON).getCode())
                .isEqualTo(ResponseCode.UNAUTHORIZED);
        unknown.shutdown();
    }

    @Test
    void anEmptyTelemetryObjectIsAcknowledgedAndStoresNothing() throws Exception {
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), Fixture.unique("coap-connect"));
        CoapClient client = new CoapClient(uri(device.token(), "telemetry"));
        assertThat(client.post("{}", MediaTypeRegistry.APPLICATION_JSON).getCode())
                .isEqualTo(ResponseCode.CHANGED);
        assertThat(client.post("[]", MediaTypeRegistry.APPLICATION_JSON).getCode())
                .isEqualTo(ResponseCode.BAD_REQUEST);
        client.shutdown();
        assertThat(Points.latest(tenant, device.id())).isZero();
    }

    private JsonNode read(String token, String path) throws Exception {
        CoapClient client = new CoapClient(uri(token, path));
        CoapResponse response = client.get();
        client.shutdown();
        assertThat(response.getCode()).as(response.getResponseText()).isEqualTo(ResponseCode.CONTENT);
        return JSON.readTree(response.getResponseText());
    }

    private void patch(UUID device, String scope, Map<String, Object> values) {
        Api.Response patched = api.patch("/api/v1/devices/" + device + "/attributes/" + scope, values)
                .bearer(admin.accessToken())
                .send();
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    }

    private String uri(String token, String path) {
        return "coap://127.0.0.1:" + transport.port() + "/api/v1/" + token + "/" + path;
    }
}
