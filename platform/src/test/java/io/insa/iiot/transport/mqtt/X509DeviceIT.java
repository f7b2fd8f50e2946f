package io.insa.iiot.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Points;
import io.insa.iiot.support.TestCertificates;
import io.insa.iiot.support.TestKeystore;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Devices that authenticate on MQTTS with an X.509 certificate instead of a token: a registered one,
 * one signed by the tenant's CA (the device created on first connect, named by the CN), and refusals
 * of an unknown, an expired and a revoked certificate.
 */
@Timeout(60)
class X509DeviceIT extends IntegrationTest {

    @Autowired
    MqttTransport transport;

    @Test
    void aDeviceWithARegisteredCertificateConnectsAndPublishesAndAnUnknownOneIsRefused() throws Exception {
        Fixture.Member operator = fixture.member(fixture.tenant("X.509 registered"), "operator");
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("cert-device"));
        TestCertificates.Issued certificate = TestCertificates.selfSigned("cert-device", TestCertificates.valid());
        Api.Response registered = api.put(
                        "/api/v1/devices/" + device.id() + "/x509", Map.of("certificate_pem", certificate.pem()))
                .bearer(operator.accessToken())
                .send();
        assertThat(registered.status()).as(registered.toString()).isEqualTo(200);
        assertThat(registered.json().get("thumbprint").asString()).hasSize(64);

        Mqtt5BlockingClient client = connect(certificate);
        publish(client, "{\"x509\": 1}");
        client.disconnect();
        assertThat(Points.count(device.id(), "x509")).isEqualTo(1);

        TestCertificates.Issued stranger = TestCertificates.selfSigned("stranger", TestCertificates.valid());
        assertThatThrownBy(() -> connect(stranger)).as("unknown certificate").isNotNull();

        assertThat(api.put("/api/v1/devices/" + device.id() + "/x509", Map.of("certificate_pem", certificate.pem()))
                        .send()
                        .status())
                .as("anonymous")
                .isEqualTo(401);
        assertThat(api.get("/api/v1/ca-certificates").send().status()).isEqualTo(401);
        Fixture.Member viewer = fixture.member(fixture.tenant("X.509 viewer"), "viewer");
        assertThat(api.put("/api/v1/devices/" + device.id() + "/x509", Map.of("certificate_pem", certificate.pem()))
                        .bearer(viewer.accessToken())
                        .send()
                        .status())
                .as("another tenant's viewer")
                .isIn(403, 404);
        assertThat(api.put("/api/v1/devices/" + device.id() + "/x509", Map.of("certificate_pem", "not a pem"))
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(400);
        assertThat(api.delete("/api/v1/devices/" + device.id() + "/x509")
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        assertThatThrownBy(() -> connect(certificate)).as("removed").isNotNull();
    }

    @Test
    void aCaSignedCertificateCreatesItsDeviceByCnAndExpiredAndRevokedOnesAreRefused() throws Exception {
        UUID tenant = fixture.tenant("X.509 CA");
        Fixture.Member admin = fixture.member(tenant, "admin");
        TestCertificates.Issued ca = TestCertificates.ca("Plant CA " + UUID.randomUUID());
        Api.Response created = api.post(
                        "/api/v1/ca-certificates", Map.of("certificate_pem", ca.pem(), "auto_provision", true))
                .bearer(admin.accessToken())
                .send();
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String caId = created.json().get("id").asString();
        Fixture.Member operator = fixture.member(tenant, "operator");
        assertThat(api.post("/api/v1/ca-certificates", Map.of("certificate_pem", ca.pem()))
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .as("CAs are the admins'")
                .isEqualTo(403);

        String name = Fixture.unique("press");
        Mqtt5BlockingClient client = connect(TestCertificates.signed(ca, name));
        publish(client, "{\"pressure\": 4.2}");
        client.disconnect();
        var devices = api.get("/api/v1/devices?name=" + name)
                .bearer(admin.accessToken())
                .send()
                .json();
        assertThat(devices.get("total").asLong()).as("created on first connect").isEqualTo(1);
        UUID device = UUID.fromString(devices.at("/items/0/id").asString());
        assertThat(Points.count(device, "pressure")).isEqualTo(1);

        TestCertificates.Issued expired = TestCertificates.signed(ca, name, TestCertificates.expired());
        assertThatThrownBy(() -> connect(expired)).as("expired").isNotNull();

        TestCertificates.Issued revoked = TestCertificates.signed(ca, name);
        assertThat(connect(revoked).getState().isConnected()).isTrue();
        assertThat(api.post(
                                "/api/v1/ca-certificates/" + caId + "/revocations",
                                Map.of("serial_number", revoked.serialHex()))
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        assertThatThrownBy(() -> connect(revoked)).as("revoked").isNotNull();

        TestCertificates.Issued otherCa = TestCertificates.ca("Other CA " + UUID.randomUUID());
        assertThatThrownBy(() -> connect(TestCertificates.signed(otherCa, name)))
                .as("signed by a CA nobody registered")
                .isNotNull();
    }

    private Mqtt5BlockingClient connect(TestCertificates.Issued certificate) {
        Mqtt5BlockingClient client = MqttClient.builder()
                .useMqttVersion5()
                .identifier(UUID.randomUUID().toString())
                .serverHost("127.0.0.1")
                .serverPort(transport.tlsPort())
                .sslConfig()
                .trustManagerFactory(TestKeystore.trustManagers())
                .keyManagerFactory(certificate.keyManagers())
                .applySslConfig()
                .buildBlocking();
        client.connect();
        return client;
    }

    private static void publish(Mqtt5BlockingClient client, String json) {
        client.publishWith()
                .topic("v1/devices/me/telemetry")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(json.getBytes())
                .send();
    }
}
