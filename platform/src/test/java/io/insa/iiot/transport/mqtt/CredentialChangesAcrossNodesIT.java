package io.insa.iiot.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.insa.iiot.IiotApplication;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.CertificateAuthorities;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.TestCertificates;
import io.insa.iiot.support.TestDatabase;
import io.insa.iiot.support.TestKeystore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * SPEC 2: caches and sessions that hold credentials are invalidated on every node. A second node of
 * the same installation runs beside the test's one; credentials changed through the first end the
 * second's sessions and cache entries, also after its listener lost its database connection; so do
 * certificate revocations and CA deletions for the certificate sessions of the second.
 */
@Timeout(120)
class CredentialChangesAcrossNodesIT extends IntegrationTest {

    /** The application name of each node's listener connection. */
    static final String LISTENER = "insa-device-access";

    private static ConfigurableApplicationContext secondNode;
    private static Api second;
    private static MqttTestClients secondClients;
    private static Fixture.Member operator;

    @BeforeEach
    void startSecondNode() {
        if (secondNode != null) {
            return;
        }
        operator = fixture.member(fixture.tenant("Two nodes"), "operator");
        Map<String, String> properties = new HashMap<>(platformProperties());
        properties.put("server.port", "0");
        secondNode = new SpringApplicationBuilder(IiotApplication.class)
                .run(properties.entrySet().stream()
                        .map(e -> "--" + e.getKey() + "=" + e.getValue())
                        .toArray(String[]::new));
        second = new Api(
                ((WebServerApplicationContext) secondNode).getWebServer().getPort());
        secondClients =
                new MqttTestClients(secondNode.getBean(MqttTransport.class).port());
    }

    @AfterAll
    static void stopSecondNode() {
        if (secondNode != null) {
            secondNode.close();
        }
    }

    @Test
    void aTokenRotatedThroughOneNodeEndsTheSessionsAndCacheEntriesOfTheOther() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("two-nodes"));
        assertThat(telemetry(second, device.token()))
                .as("the second node caches the token")
                .isEqualTo(200);
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        secondClients.v5(device.token(), closed);

        Api.Response rotated = api.post("/api/v1/devices/" + device.id() + "/token", Map.of())
                .bearer(operator.accessToken())
                .send();
        assertThat(rotated.status()).isEqualTo(200);

        assertClosedAsNotAuthorized(closed);
        Awaitility.await().atMost(Duration.ofSeconds(1)).until(() -> telemetry(second, device.token()) == 401);
        assertThat(telemetry(second, rotated.json().get("access_token").asString()))
                .isEqualTo(200);
    }

    @Test
    void theListenerReconnectsAfterItsDatabaseConnectionDrops() throws Exception {
        List<Integer> before = listeners();
        assertThat(before).as("one listener per node").hasSizeGreaterThanOrEqualTo(2);
        terminate(before);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            List<Integer> now = listeners();
            return now.size() == before.size() && now.stream().noneMatch(before::contains);
        });

        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("after-drop"));
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        secondClients.v5(device.token(), closed);
        assertThat(api.delete("/api/v1/devices/" + device.id())
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        assertClosedAsNotAuthorized(closed);
    }

    /** Issue 22, finding 5, on every node: a CA revocation and deletion end certificate sessions elsewhere. */
    @Test
    void aCertificateRevokedOrItsCaDeletedThroughOneNodeEndsTheSessionsOfTheOther() throws Exception {
        java.util.UUID tenant = fixture.tenant("Two nodes X.509");
        Fixture.Member admin = fixture.member(tenant, "admin");
        CertificateAuthorities cas = new CertificateAuthorities(api);
        String slug = cas.slug(admin.accessToken(), tenant);
        TestCertificates.Issued ca = TestCertificates.ca("Two nodes CA " + java.util.UUID.randomUUID());
        java.util.UUID caId = cas.addVerified(admin.accessToken(), ca);
        String name = Fixture.unique("two-nodes-x509");
        TestCertificates.Issued revokedLater = TestCertificates.signed(ca, name);
        Mqtt5BlockingClient revoked = connectToSecond(revokedLater, slug + "/" + name);
        Mqtt5BlockingClient sibling = connectToSecond(TestCertificates.signed(ca, name), slug + "/" + name);

        assertThat(api.post(
                                "/api/v1/ca-certificates/" + caId + "/revocations",
                                Map.of("serial_number", revokedLater.serialHex()))
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        Awaitility.await()
                .alias("the other node closes the session of the revoked serial")
                .atMost(Duration.ofSeconds(2))
                .until(() -> !revoked.getState().isConnected());
        assertThat(sibling.getState().isConnected()).isTrue();

        assertThat(api.delete("/api/v1/ca-certificates/" + caId)
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        Awaitility.await()
                .alias("the other node closes the sessions of the deleted CA")
                .atMost(Duration.ofSeconds(2))
                .until(() -> !sibling.getState().isConnected());
    }

    private static Mqtt5BlockingClient connectToSecond(TestCertificates.Issued certificate, String name) {
        Mqtt5BlockingClient client = MqttClient.builder()
                .useMqttVersion5()
                .identifier(java.util.UUID.randomUUID().toString())
                .simpleAuth()
                .username(name)
                .applySimpleAuth()
                .serverHost("127.0.0.1")
                .serverPort(secondNode.getBean(MqttTransport.class).tlsPort())
                .sslConfig()
                .trustManagerFactory(TestKeystore.trustManagers())
                .keyManagerFactory(certificate.keyManagers())
                .applySslConfig()
                .buildBlocking();
        client.connect();
        return client;
    }

    private static void assertClosedAsNotAuthorized(CompletableFuture<Throwable> closed) throws Exception {
        assertThat(closed.get(1, TimeUnit.SECONDS))
                .as("closed by the other node within a second")
                .isInstanceOfSatisfying(
                        Mqtt5DisconnectException.class,
                        e -> assertThat(e.getMqttMessage().getReasonCode())
                                .isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED));
    }

    private static int telemetry(Api node, String token) {
        return node.post("/api/v1/" + token + "/telemetry", "{\"n\": 1}").send().status();
    }

    /** The backends of this database's listener connections that are listening. */
    private static List<Integer> listeners() throws Exception {
        List<Integer> pids = new ArrayList<>();
        try (Connection c = TestDatabase.get().connectAsApp();
                PreparedStatement s = c.prepareStatement("""
                        SELECT pid FROM pg_stat_activity
                        WHERE datname = current_database() AND application_name = ? AND query ILIKE 'LISTEN%'""")) {
            s.setString(1, LISTENER);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                }
            }
        }
        return pids;
    }

    private static void terminate(List<Integer> pids) throws Exception {
        try (Connection c = TestDatabase.get().connectAsApp()) {
            for (int pid : pids) {
                try (PreparedStatement s = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
                    s.setInt(1, pid);
                    s.execute();
                }
            }
        }
    }
}
