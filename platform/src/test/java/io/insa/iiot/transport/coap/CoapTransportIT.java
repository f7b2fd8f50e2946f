package io.insa.iiot.transport.coap;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Points;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** The CoAP transport with Californium's CoapClient and libcoap's coap-client. */
class CoapTransportIT extends IntegrationTest {

    private static final tools.jackson.databind.json.JsonMapper JSON =
            tools.jackson.databind.json.JsonMapper.builder().build();

    @Autowired
    CoapTransport transport;

    private static Fixture.Member operator;

    @BeforeAll
    static void clientConfiguration() {
        Configuration.setStandard(Configuration.createStandardWithoutFile());
    }

    @BeforeEach
    void tenant() {
        if (operator == null) {
            operator = fixture.member(fixture.tenant("Coap"), "operator");
        }
    }

    @Test
    void confirmableAndNonConfirmableTelemetryIsStoredBeforeTheResponse() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("coap"));
        CoapClient client = new CoapClient(uri(device.token(), "telemetry"));
        CoapResponse confirmable = client.post("{\"con\": 1}", MediaTypeRegistry.APPLICATION_JSON);
        assertThat(confirmable.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(Points.count(device.id(), "con"))
                .as("committed before the 2.04")
                .isEqualTo(1);

        client.useNONs();
        CoapResponse nonConfirmable = client.post("{\"non\": 2}", MediaTypeRegistry.APPLICATION_JSON);
        assertThat(nonConfirmable.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(Points.count(device.id(), "non")).isEqualTo(1);

        CoapResponse attributes = new CoapClient(uri(device.token(), "attributes"))
                .post("{\"fw\": \"9\"}", MediaTypeRegistry.APPLICATION_JSON);
        assertThat(attributes.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(management.get("/actuator/prometheus").send().text())
                .contains("insa_transport_messages_total{outcome=\"accepted\",transport=\"coap\"}");
        client.shutdown();
    }

    @Test
    void refusalsCarryTheirCodeAndADiagnosticPayload() throws Exception {
        UUID small = fixture.tenant("Coap quota", Map.of("max_telemetry_points_per_day", 2));
        Fixture.Member admin = fixture.member(small, "admin");
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), "limited");
        CoapClient client = new CoapClient(uri(device.token(), "telemetry"));

        CoapResponse bad = client.post("{\"a\": ", MediaTypeRegistry.APPLICATION_JSON);
        assertThat(bad.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(bad.getResponseText()).contains("malformed JSON");

        assertThat(client.post("{\"a\": 1, \"b\": 2}", MediaTypeRegistry.APPLICATION_JSON)
                        .getCode())
                .isEqualTo(ResponseCode.CHANGED);
        CoapResponse over = client.post("{\"c\": 3}", MediaTypeRegistry.APPLICATION_JSON);
        assertThat(over.getCode()).isEqualTo(ResponseCode.TOO_MANY_REQUESTS);
        assertThat(over.getResponseText()).contains("max_telemetry_points_per_day is 2", "resets at");

        CoapResponse unknown = new CoapClient(uri("no-such-token", "telemetry"))
                .post("{\"a\": 1}", MediaTypeRegistry.APPLICATION_JSON);
        assertThat(unknown.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        client.shutdown();
        assertThat(Points.count(device.id(), "c")).isZero();
    }

    @Test
    void anObservingDeviceGetsCommandsAsNotificationsAndAnswersThemWithAPost() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("coap-cmd"));
        CoapClient observer = new CoapClient(uri(device.token(), "rpc"));
        CoapObserveRelation relation = observer.observe(new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                JsonNode command = JSON.readTree(response.getResponseText());
                if (command.has("id")) {
                    // answered asynchronously: this callback runs on the client's own thread
                    new CoapClient(uri(
                                    device.token(), "rpc/" + command.get("id").asString()))
                            .post(
                                    new CoapHandler() {
                                        @Override
                                        public void onLoad(CoapResponse ignored) {}

                                        @Override
                                        public void onError() {}
                                    },
                                    "{\"ack\": \"" + command.get("method").asString() + "\"}",
                                    MediaTypeRegistry.APPLICATION_JSON);
                }
            }

            @Override
            public void onError() {}
        });
        var response = io.insa.iiot.command.CommandIT.untilListening(
                api, operator.accessToken(), device.id(), Map.of("method", "restart", "timeout_ms", 5000));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().at("/response/ack").asString()).isEqualTo("restart");
        relation.proactiveCancel();
        observer.shutdown();
    }

    /** Deleting the device or rotating its token ends its Observe on rpc with a 4.01 notification. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"delete", "rotate"})
    @Timeout(30)
    void revokingTheDevicesCredentialsEndsItsCommandObservation(String how) throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("coap-" + how));
        CoapClient observer = new CoapClient(uri(device.token(), "rpc"));
        CompletableFuture<CoapResponse> observing = new CompletableFuture<>();
        CompletableFuture<CoapResponse> ended = new CompletableFuture<>();
        CoapObserveRelation relation = observer.observe(new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                (response.isSuccess() ? observing : ended).complete(response);
            }

            @Override
            public void onError() {
                ended.completeExceptionally(new IllegalStateException("observation failed"));
            }
        });
        observing.get(10, TimeUnit.SECONDS);

        Api.Response revoked = fixture.revoke(operator.accessToken(), device.id(), how);
        assertThat(revoked.status()).as(revoked.toString()).isIn(200, 204);

        CoapResponse end = ended.get(1, TimeUnit.SECONDS);
        assertThat(end.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(end.getResponseText()).contains("revoked");
        assertThat(end.getOptions().hasObserve())
                .as("the notification ends the observation")
                .isFalse();
        relation.proactiveCancel();
        observer.shutdown();
    }

    @Test
    void theDtlsListenerServesTheSameApi() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("dtls"));
        Configuration config = Configuration.createStandardWithoutFile();
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY)
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustAllCertificates()
                        .build())
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .build();
        CoapEndpoint endpoint = CoapEndpoint.builder()
                .setConfiguration(config)
                .setConnector(new DTLSConnector(dtls))
                .build();
        CoapClient client = new CoapClient(
                "coaps://127.0.0.1:" + transport.dtlsPort() + "/api/v1/" + device.token() + "/telemetry");
        client.setEndpoint(endpoint);
        CoapResponse response = client.post("{\"secure\": 1}", MediaTypeRegistry.APPLICATION_JSON);
        assertThat(response.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(Points.count(device.id(), "secure")).isEqualTo(1);
        client.shutdown();
        endpoint.destroy();
    }

    @Test
    void libcoapsCoapClientPostsAndTheDataLands() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("libcoap"));
        Process post = new ProcessBuilder(
                        "coap-client-notls",
                        "-m",
                        "post",
                        "-t",
                        "application/json",
                        "-e",
                        "{\"libcoap\": 5}",
                        uri(device.token(), "telemetry"))
                .redirectErrorStream(true)
                .start();
        assertThat(post.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(post.exitValue())
                .as(new String(post.getInputStream().readAllBytes()))
                .isZero();
        assertThat(Points.count(device.id(), "libcoap")).isEqualTo(1);
    }

    private String uri(String token, String kind) {
        return "coap://127.0.0.1:" + transport.port() + "/api/v1/" + token + "/" + kind;
    }
}
