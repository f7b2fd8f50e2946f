package io.insa.iiot.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.CertificateAuthorities;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Points;
import io.insa.iiot.support.TestCertificates;
import io.insa.iiot.support.TestKeystore;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Devices that authenticate on MQTTS with an X.509 certificate instead of a token. A device names
 * itself (username or client id = its id, or {@code <tenant slug>/<device name>}) and the
 * certificate must be registered for that device or chain up to a verified CA of its tenant: a
 * certificate alone never chooses the tenant, another tenant's registration of the same certificate
 * or CA changes nothing for the first, and sessions end when the certificate stops being trusted.
 */
@Timeout(90)
class X509DeviceIT extends IntegrationTest {

    @Autowired
    MqttTransport transport;

    CertificateAuthorities cas;

    @BeforeEach
    void authorities() {
        cas = new CertificateAuthorities(api);
    }

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

        Mqtt5BlockingClient client = connect(certificate, device.id().toString());
        publish(client, "{\"x509\": 1}");
        client.disconnect();
        Mqtt5BlockingClient byClientId = connect(
                MqttClient.builder().useMqttVersion5().identifier(device.id().toString()), certificate);
        publish(byClientId, "{\"x509\": 2}");
        byClientId.disconnect();
        assertThat(Points.count(device.id(), "x509")).isEqualTo(2);

        assertThatThrownBy(() -> connectUnnamed(certificate))
                .as("a certificate alone names no device")
                .isNotNull();
        TestCertificates.Issued stranger = TestCertificates.selfSigned("stranger", TestCertificates.valid());
        assertThatThrownBy(() -> connect(stranger, device.id().toString()))
                .as("unknown certificate")
                .isNotNull();
        assertThatThrownBy(() -> connect(certificate, UUID.randomUUID().toString()))
                .as("no such device")
                .isNotNull();

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
        assertThatThrownBy(() -> connect(certificate, device.id().toString()))
                .as("removed")
                .isNotNull();
    }

    @Test
    void aCaSignedCertificateCreatesItsNamedDeviceAndExpiredRevokedAndMisnamedOnesAreRefused() throws Exception {
        UUID tenant = fixture.tenant("X.509 CA");
        Fixture.Member admin = fixture.member(tenant, "admin");
        String slug = cas.slug(admin.accessToken(), tenant);
        TestCertificates.Issued ca = TestCertificates.ca("Plant CA " + UUID.randomUUID());
        Fixture.Member operator = fixture.member(tenant, "operator");
        assertThat(api.post("/api/v1/ca-certificates", Map.of("certificate_pem", ca.pem()))
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .as("CAs are the admins'")
                .isEqualTo(403);
        UUID caId = cas.addVerified(admin.accessToken(), ca);

        String name = Fixture.unique("press");
        Mqtt5BlockingClient client = connect(TestCertificates.signed(ca, name), slug + "/" + name);
        publish(client, "{\"pressure\": 4.2}");
        client.disconnect();
        var devices = api.get("/api/v1/devices?name=" + name)
                .bearer(admin.accessToken())
                .send()
                .json();
        assertThat(devices.get("total").asLong()).as("created on first connect").isEqualTo(1);
        UUID device = UUID.fromString(devices.at("/items/0/id").asString());
        assertThat(Points.count(device, "pressure")).isEqualTo(1);
        Mqtt5BlockingClient byId = connect(TestCertificates.signed(ca, name), device.toString());
        publish(byId, "{\"pressure\": 4.3}");
        byId.disconnect();
        assertThat(Points.count(device, "pressure")).isEqualTo(2);

        assertThatThrownBy(() -> connect(TestCertificates.signed(ca, Fixture.unique("other")), slug + "/" + name))
                .as("the CN must be the name the device gives")
                .isNotNull();
        TestCertificates.Issued expired = TestCertificates.signed(ca, name, TestCertificates.expired());
        assertThatThrownBy(() -> connect(expired, slug + "/" + name))
                .as("expired")
                .isNotNull();

        TestCertificates.Issued revoked = TestCertificates.signed(ca, name);
        connect(revoked, slug + "/" + name).disconnect();
        assertThat(api.post(
                                "/api/v1/ca-certificates/" + caId + "/revocations",
                                Map.of("serial_number", revoked.serialHex()))
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        assertThatThrownBy(() -> connect(revoked, slug + "/" + name))
                .as("revoked")
                .isNotNull();

        TestCertificates.Issued otherCa = TestCertificates.ca("Other CA " + UUID.randomUUID());
        assertThatThrownBy(() -> connect(TestCertificates.signed(otherCa, name), slug + "/" + name))
                .as("signed by a CA nobody registered")
                .isNotNull();
    }

    /** Finding 2 of the second review: B registering A's device certificate took A's device over. */
    @Test
    void anotherTenantRegisteringADevicesCertificateNeitherTakesTheDeviceNorBlocksItsOwner() throws Exception {
        Fixture.Member operatorA = fixture.member(fixture.tenant("X.509 owner A"), "operator");
        Fixture.Member operatorB = fixture.member(fixture.tenant("X.509 thief B"), "operator");
        Fixture.DeviceHandle deviceA = fixture.device(operatorA.accessToken(), Fixture.unique("a-meter"));
        Fixture.DeviceHandle deviceB = fixture.device(operatorB.accessToken(), Fixture.unique("b-meter"));
        TestCertificates.Issued certificateA = TestCertificates.selfSigned("a-meter", TestCertificates.valid());

        Api.Response registeredByB = api.put(
                        "/api/v1/devices/" + deviceB.id() + "/x509", Map.of("certificate_pem", certificateA.pem()))
                .bearer(operatorB.accessToken())
                .send();
        assertThat(registeredByB.status()).as(registeredByB.toString()).isEqualTo(200);

        // A's physical device connects with its certificate, as before the fix (no name given)
        try {
            Mqtt5BlockingClient unnamed = connectUnnamed(certificateA);
            publish(unnamed, "{\"takeover\": 1}");
            unnamed.disconnect();
        } catch (RuntimeException refused) {
            // refused: a certificate alone chooses nothing
        }
        assertThat(Points.count(deviceB.id(), "takeover"))
                .as("A's device's telemetry landed in tenant B")
                .isZero();

        Api.Response registeredByA = api.put(
                        "/api/v1/devices/" + deviceA.id() + "/x509", Map.of("certificate_pem", certificateA.pem()))
                .bearer(operatorA.accessToken())
                .send();
        assertThat(registeredByA.status())
                .as("A registers its own device's certificate although B did: " + registeredByA)
                .isEqualTo(200);

        Mqtt5BlockingClient asItself = connect(certificateA, deviceA.id().toString());
        publish(asItself, "{\"takeover\": 2}");
        asItself.disconnect();
        assertThat(Points.count(deviceA.id(), "takeover")).isEqualTo(1);
        assertThat(Points.count(deviceB.id(), "takeover")).isZero();

        Fixture.DeviceHandle secondA = fixture.device(operatorA.accessToken(), Fixture.unique("a-meter-2"));
        Api.Response twiceInA = api.put(
                        "/api/v1/devices/" + secondA.id() + "/x509", Map.of("certificate_pem", certificateA.pem()))
                .bearer(operatorA.accessToken())
                .send();
        assertThat(twiceInA.status())
                .as("one certificate, one device of a tenant")
                .isEqualTo(409);
        assertThat(twiceInA.text())
                .doesNotContain(deviceB.id().toString(), deviceA.id().toString());
    }

    /** Finding 2: B registering a vendor's CA first made the vendor's devices provision into B. */
    @Test
    void aVendorCaAddedFirstByAnotherTenantProvisionsNothingThereAndTheOwnerStillAddsIt() throws Exception {
        UUID tenantA = fixture.tenant("X.509 vendor A");
        UUID tenantB = fixture.tenant("X.509 vendor B");
        Fixture.Member adminA = fixture.member(tenantA, "admin");
        Fixture.Member adminB = fixture.member(tenantB, "admin");
        TestCertificates.Issued vendor = TestCertificates.ca("Vendor CA " + UUID.randomUUID());
        String name = Fixture.unique("vendor-sensor");
        TestCertificates.Issued sensor = TestCertificates.signed(vendor, name);

        JsonNode addedByB = cas.add(adminB.accessToken(), vendor, true);
        try {
            connectUnnamed(sensor).disconnect();
        } catch (RuntimeException refused) {
            // refused: no name given
        }
        assertThatThrownBy(() -> connect(sensor, cas.slug(adminB.accessToken(), tenantB) + "/" + name))
                .as("B never proved it holds the vendor's key")
                .isNotNull();
        assertThat(api.get("/api/v1/devices?name=" + name)
                        .bearer(adminB.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asLong())
                .as("the vendor's device was provisioned into B")
                .isZero();

        Api.Response addedByA = api.post(
                        "/api/v1/ca-certificates", Map.of("certificate_pem", vendor.pem(), "auto_provision", true))
                .bearer(adminA.accessToken())
                .send();
        assertThat(addedByA.status())
                .as("A adds the CA B added first: " + addedByA)
                .isEqualTo(201);
        assertThat(addedByA.text()).doesNotContain(addedByB.get("id").asString());
        UUID caA = UUID.fromString(addedByA.json().get("id").asString());
        assertThat(cas.verify(
                                adminA.accessToken(),
                                caA,
                                vendor,
                                addedByA.json().get("verification_code").asString())
                        .status())
                .isEqualTo(200);

        connect(sensor, cas.slug(adminA.accessToken(), tenantA) + "/" + name).disconnect();
        assertThat(api.get("/api/v1/devices?name=" + name)
                        .bearer(adminA.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asLong())
                .isEqualTo(1);
        assertThat(api.get("/api/v1/devices?name=" + name)
                        .bearer(adminB.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asLong())
                .isZero();
        assertThat(api.post("/api/v1/ca-certificates", Map.of("certificate_pem", vendor.pem()))
                        .bearer(adminA.accessToken())
                        .send()
                        .status())
                .as("once per tenant")
                .isEqualTo(409);
    }

    @Test
    void anUnverifiedCaAuthenticatesNothingUntilItsKeyIsProven() throws Exception {
        UUID tenant = fixture.tenant("X.509 proof");
        Fixture.Member admin = fixture.member(tenant, "admin");
        String slug = cas.slug(admin.accessToken(), tenant);
        TestCertificates.Issued ca = TestCertificates.ca("Proof CA " + UUID.randomUUID());
        JsonNode added = cas.add(admin.accessToken(), ca, true);
        UUID id = UUID.fromString(added.get("id").asString());
        String code = added.get("verification_code").asString();
        assertThat(added.get("verified").asBoolean()).isFalse();
        assertThat(code).hasSizeGreaterThanOrEqualTo(32);

        JsonNode listed = api.get("/api/v1/ca-certificates")
                .bearer(admin.accessToken())
                .send()
                .json()
                .get("items")
                .get(0);
        assertThat(listed.get("verified").asBoolean()).isFalse();
        assertThat(listed.get("verification_code").asString()).isEqualTo(code);

        String name = Fixture.unique("proof-device");
        TestCertificates.Issued device = TestCertificates.signed(ca, name);
        assertThatThrownBy(() -> connect(device, slug + "/" + name))
                .as("an unverified CA authenticates nothing")
                .isNotNull();

        assertThat(cas.verify(admin.accessToken(), id, ca, "not-the-code").status())
                .as("the CN must be the code")
                .isEqualTo(400);
        TestCertificates.Issued impostor = TestCertificates.ca(
                ca.certificate().getSubjectX500Principal().getName().substring(3));
        assertThat(cas.verify(admin.accessToken(), id, impostor, code).status())
                .as("signed by another key under the same name")
                .isEqualTo(400);
        Fixture.Member other = fixture.member(fixture.tenant("X.509 proof other"), "admin");
        assertThat(cas.verify(other.accessToken(), id, ca, code).status())
                .as("another tenant's CA")
                .isEqualTo(404);

        Api.Response verified = cas.verify(admin.accessToken(), id, ca, code);
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        assertThat(verified.json().get("verified").asBoolean()).isTrue();
        JsonNode after = api.get("/api/v1/ca-certificates")
                .bearer(admin.accessToken())
                .send()
                .json()
                .get("items")
                .get(0);
        assertThat(after.get("verified").asBoolean()).isTrue();
        assertThat(after.path("verification_code").isMissingNode()
                        || after.get("verification_code").isNull())
                .isTrue();

        connect(device, slug + "/" + name).disconnect();
    }

    @Test
    void aChainThroughAnIntermediateIsAcceptedAndAnIssuerThatIsNoCaIsNot() throws Exception {
        UUID tenant = fixture.tenant("X.509 chain");
        Fixture.Member admin = fixture.member(tenant, "admin");
        String slug = cas.slug(admin.accessToken(), tenant);
        TestCertificates.Issued root = TestCertificates.ca("Root CA " + UUID.randomUUID());
        cas.addVerified(admin.accessToken(), root);

        TestCertificates.Issued intermediate =
                TestCertificates.intermediate(root, "Line CA " + UUID.randomUUID(), true);
        String name = Fixture.unique("chained");
        Mqtt5BlockingClient client =
                connect(TestCertificates.signed(intermediate, name).presentedWith(intermediate), slug + "/" + name);
        publish(client, "{\"chained\": 1}");
        client.disconnect();

        TestCertificates.Issued notACa = TestCertificates.intermediate(root, "Leaf " + UUID.randomUUID(), false);
        String other = Fixture.unique("unchained");
        assertThatThrownBy(
                        () -> connect(TestCertificates.signed(notACa, other).presentedWith(notACa), slug + "/" + other))
                .as("issued by a certificate that is no CA")
                .isNotNull();
        assertThatThrownBy(() -> connect(TestCertificates.signed(intermediate, other), slug + "/" + other))
                .as("the intermediate missing from the chain")
                .isNotNull();
    }

    /** Finding 5 of the second review: certificate sessions outlived revocation and CA deletion. */
    @Test
    void openCertificateSessionsEndOnUnregisterRevocationAndCaDeletion() throws Exception {
        UUID tenant = fixture.tenant("X.509 sessions");
        Fixture.Member admin = fixture.member(tenant, "admin");
        String slug = cas.slug(admin.accessToken(), tenant);

        Fixture.DeviceHandle registered = fixture.device(admin.accessToken(), Fixture.unique("reg"));
        TestCertificates.Issued own = TestCertificates.selfSigned("reg", TestCertificates.valid());
        assertThat(api.put("/api/v1/devices/" + registered.id() + "/x509", Map.of("certificate_pem", own.pem()))
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(200);
        Mqtt5BlockingClient unregistered = connect(own, registered.id().toString());
        assertThat(api.delete("/api/v1/devices/" + registered.id() + "/x509")
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        awaitClosed(unregistered, "after the certificate was unregistered");

        TestCertificates.Issued ca = TestCertificates.ca("Session CA " + UUID.randomUUID());
        UUID caId = cas.addVerified(admin.accessToken(), ca);
        String name = Fixture.unique("session-device");
        TestCertificates.Issued revokedLater = TestCertificates.signed(ca, name);
        Mqtt5BlockingClient revoked = connect(revokedLater, slug + "/" + name);
        Mqtt5BlockingClient sibling = connect(TestCertificates.signed(ca, name), slug + "/" + name);
        assertThat(api.post(
                                "/api/v1/ca-certificates/" + caId + "/revocations",
                                Map.of("serial_number", revokedLater.serialHex()))
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        awaitClosed(revoked, "after its serial was revoked");
        assertThat(sibling.getState().isConnected())
                .as("a certificate of another serial")
                .isTrue();

        assertThat(api.delete("/api/v1/ca-certificates/" + caId)
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        awaitClosed(sibling, "after its CA was deleted");
    }

    private static void awaitClosed(Mqtt5BlockingClient client, String when) {
        await().alias("the connection is closed " + when)
                .atMost(Duration.ofSeconds(10))
                .until(() -> !client.getState().isConnected());
        assertThatThrownBy(() -> publish(client, "{\"after\": 1}")).isNotNull();
    }

    /** Names the device by username, the client id being random. */
    private Mqtt5BlockingClient connect(TestCertificates.Issued certificate, String name) {
        Mqtt5BlockingClient client = tls(
                        MqttClient.builder()
                                .useMqttVersion5()
                                .identifier(UUID.randomUUID().toString())
                                .simpleAuth()
                                .username(name)
                                .applySimpleAuth(),
                        certificate)
                .buildBlocking();
        client.connect();
        return client;
    }

    private Mqtt5BlockingClient connect(Mqtt5ClientBuilder builder, TestCertificates.Issued certificate) {
        Mqtt5BlockingClient client = tls(builder, certificate).buildBlocking();
        client.connect();
        return client;
    }

    /** How devices connected before they had to name themselves: no username, a random client id. */
    private Mqtt5BlockingClient connectUnnamed(TestCertificates.Issued certificate) {
        return connect(
                MqttClient.builder()
                        .useMqttVersion5()
                        .identifier(UUID.randomUUID().toString()),
                certificate);
    }

    private Mqtt5ClientBuilder tls(Mqtt5ClientBuilder builder, TestCertificates.Issued certificate) {
        return builder.serverHost("127.0.0.1")
                .serverPort(transport.tlsPort())
                .sslConfig()
                .trustManagerFactory(TestKeystore.trustManagers())
                .keyManagerFactory(certificate.keyManagers())
                .applySslConfig();
    }

    private static void publish(Mqtt5BlockingClient client, String json) {
        client.publishWith()
                .topic("v1/devices/me/telemetry")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(json.getBytes())
                .send();
    }
}
