package io.insa.iiot.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.CertificateAuthorities;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Points;
import io.insa.iiot.support.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.proton.ProtonClient;
import io.vertx.proton.ProtonClientOptions;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.ProtonSender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;

/** The AMQP 1.0 transport with Vert.x Proton's client and python3-qpid-proton. */
class AmqpTransportIT extends IntegrationTest {

    private static final Vertx CLIENT_VERTX = Vertx.vertx();

    @Autowired
    AmqpTransport transport;

    private static Fixture.Member operator;

    @BeforeEach
    void tenant() {
        if (operator == null) {
            operator = fixture.member(fixture.tenant("Amqp"), "operator");
        }
    }

    @AfterAll
    static void closeClient() {
        CLIENT_VERTX.close();
    }

    @Test
    void telemetryIsAcceptedOnlyOnceCommitted() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("amqp"));
        ProtonConnection connection = connect(device.token()).get(10, TimeUnit.SECONDS);
        ProtonSender sender = open(connection, "telemetry");
        for (int i = 0; i < 5; i++) {
            assertThat(send(sender, "{\"amqp\": " + i + "}")).isInstanceOf(Accepted.class);
            assertThat(Points.count(device.id(), "amqp"))
                    .as("committed before the disposition")
                    .isEqualTo(i + 1);
        }
        assertThat(send(open(connection, "attributes"), "{\"fw\": \"4\"}")).isInstanceOf(Accepted.class);
        assertThat(management.get("/actuator/prometheus").send().text())
                .contains(
                        "insa_transport_connections{transport=\"amqp\"}",
                        "insa_transport_messages_total{outcome=\"accepted\",transport=\"amqp\"}");
        connection.close();
    }

    @Test
    void refusalsAreRejectedWithTheirConditionAndDescription() throws Exception {
        UUID small = fixture.tenant("Amqp quota", Map.of("max_telemetry_points_per_day", 1));
        Fixture.Member admin = fixture.member(small, "admin");
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), "limited");
        ProtonConnection connection = connect(device.token()).get(10, TimeUnit.SECONDS);
        ProtonSender sender = open(connection, "telemetry");

        Rejected bad = (Rejected) send(sender, "{\"a\": ");
        assertThat(bad.getError().getCondition().toString()).isEqualTo("amqp:decode-error");
        assertThat(bad.getError().getDescription()).contains("malformed JSON");

        assertThat(send(sender, "{\"a\": 1}")).isInstanceOf(Accepted.class);
        Rejected over = (Rejected) send(sender, "{\"b\": 2}");
        assertThat(over.getError().getCondition().toString()).isEqualTo("amqp:resource-limit-exceeded");
        assertThat(over.getError().getDescription()).contains("max_telemetry_points_per_day is 1", "resets at");
        connection.close();
        assertThat(Points.count(device.id(), "b")).isZero();
    }

    @Test
    @Timeout(60)
    void aTransferOverThePayloadLimitDetachesItsLinkBeforeTheServerHoldsItWhole() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("amqp-big"));
        ProtonConnection connection = connect(device.token()).get(10, TimeUnit.SECONDS);
        ProtonSender sender = open(connection, "telemetry");
        assertThat(sender.getRemoteMaxMessageSize())
                .as("the limit is announced on attach")
                .isNotNull()
                .satisfies(max -> assertThat(max.longValue()).isBetween(65_536L, 70_000L));

        CompletableFuture<ErrorCondition> detached = new CompletableFuture<>();
        CompletableFuture<DeliveryState> settled = new CompletableFuture<>();
        Message big = Message.Factory.create();
        big.setBody(new Data(
                new Binary(("{\"big\": \"" + "x".repeat(32 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8))));
        CLIENT_VERTX.runOnContext(v -> {
            sender.detachHandler(result -> detached.complete(sender.getRemoteCondition()));
            sender.closeHandler(result -> detached.complete(sender.getRemoteCondition()));
            sender.send(big, delivery -> settled.complete(delivery.getRemoteState()));
        });

        ErrorCondition condition = detached.get(30, TimeUnit.SECONDS);
        assertThat(condition.getCondition().toString()).isEqualTo("amqp:link:message-size-exceeded");
        assertThat(settled).as("never accepted").isNotCompleted();
        assertThat(Points.count(device.id(), "big")).isZero();
        // the connection survives: a new link carries a message within the limit
        assertThat(send(open(connection, "telemetry"), "{\"small\": 1}")).isInstanceOf(Accepted.class);
        assertThat(Points.count(device.id(), "small")).isEqualTo(1);
        connection.close();
    }

    @Test
    void commandsArriveOnTheCommandLinkAndAnswersReturnWithTheirCorrelationId() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("amqp-cmd"));
        ProtonConnection connection = connect(device.token()).get(10, TimeUnit.SECONDS);
        ProtonSender answers = open(connection, "command_response");
        CompletableFuture<Void> listening = new CompletableFuture<>();
        CLIENT_VERTX.runOnContext(v -> connection
                .createReceiver("command")
                .handler((delivery, command) -> {
                    Message answer = Message.Factory.create();
                    answer.setCorrelationId(command.getMessageId());
                    answer.setBody(new Data(new Binary(
                            ("{\"done\": \"" + command.getSubject() + "\"}").getBytes(StandardCharsets.UTF_8))));
                    answers.send(answer);
                })
                .openHandler(result -> listening.complete(null))
                .open());
        listening.get(10, TimeUnit.SECONDS);

        var response = io.insa.iiot.command.CommandIT.untilListening(
                api, operator.accessToken(), device.id(), Map.of("method", "closeValve", "timeout_ms", 5000));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().at("/response/done").asString()).isEqualTo("closeValve");
        connection.close();
    }

    /** Deleting the device or rotating its token closes its connection within a second. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"delete", "rotate"})
    @Timeout(30)
    void revokingTheDevicesCredentialsClosesItsConnection(String how) throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("amqp-" + how));
        ProtonConnection connection = connect(device.token()).get(10, TimeUnit.SECONDS);
        ProtonSender sender = open(connection, "telemetry");
        assertThat(send(sender, "{\"before\": 1}")).isInstanceOf(Accepted.class);
        CompletableFuture<ErrorCondition> closed = new CompletableFuture<>();
        CLIENT_VERTX.runOnContext(v -> connection
                .closeHandler(result -> closed.complete(connection.getRemoteCondition()))
                .disconnectHandler(c -> closed.completeExceptionally(new IllegalStateException("no close frame"))));

        Api.Response revoked = fixture.revoke(operator.accessToken(), device.id(), how);
        assertThat(revoked.status()).as(revoked.toString()).isIn(200, 204);

        ErrorCondition condition = closed.get(1, TimeUnit.SECONDS);
        assertThat(condition.getCondition().toString()).isEqualTo("amqp:unauthorized-access");
        assertThat(condition.getDescription()).contains("revoked");
        assertThat(connect(device.token()))
                .as("the old token no longer authenticates")
                .failsWithin(10, TimeUnit.SECONDS);
    }

    @Test
    void theTlsListenerServesTheSameApi() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("amqps"));
        CompletableFuture<ProtonConnection> opened = new CompletableFuture<>();
        ProtonClientOptions tls = new ProtonClientOptions()
                .addEnabledSaslMechanism("PLAIN")
                .setSsl(true)
                .setTrustAll(true);
        tls.setHostnameVerificationAlgorithm("");
        CLIENT_VERTX.runOnContext(v -> ProtonClient.create(CLIENT_VERTX)
                .connect(tls, "127.0.0.1", transport.tlsPort(), device.token(), "unused", result -> {
                    if (result.failed()) {
                        opened.completeExceptionally(result.cause());
                    } else {
                        result.result()
                                .openHandler(open -> opened.complete(open.result()))
                                .open();
                    }
                }));
        ProtonConnection connection = opened.get(10, TimeUnit.SECONDS);
        assertThat(send(open(connection, "telemetry"), "{\"amqps\": 1}")).isInstanceOf(Accepted.class);
        assertThat(Points.count(device.id(), "amqps")).isEqualTo(1);
        connection.close();
    }

    @Test
    @Timeout(60)
    void onAmqpsADeviceAuthenticatesWithItsRegisteredCertificateThroughSaslExternal() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("amqps-x509"));
        TestCertificates.Issued certificate = TestCertificates.selfSigned("amqps-x509", TestCertificates.valid());
        assertThat(api.put(
                                "/api/v1/devices/" + device.id() + "/x509",
                                java.util.Map.of("certificate_pem", certificate.pem()))
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(200);
        ProtonConnection connection =
                connectExternal(certificate, device.id().toString()).get(10, TimeUnit.SECONDS);
        assertThat(send(open(connection, "telemetry"), "{\"amqps_x509\": 1}")).isInstanceOf(Accepted.class);
        assertThat(Points.count(device.id(), "amqps_x509")).isEqualTo(1);
        connection.close();

        TestCertificates.Issued unknown = TestCertificates.selfSigned("unknown", TestCertificates.valid());
        assertRefused(connectExternal(unknown, device.id().toString()));
        assertRefused(connectExternal(certificate, "vert.x-" + UUID.randomUUID()));
        assertRefused(connectExternal(certificate, UUID.randomUUID().toString()));
    }

    /** A client we did not write: python3-qpid-proton sends the device's name as EXTERNAL's authzid. */
    @Test
    @Timeout(90)
    void pythonQpidProtonNamesItsDeviceByTheExternalAuthorizationIdentity() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("python-x509"));
        TestCertificates.Issued certificate = TestCertificates.selfSigned("python-x509", TestCertificates.valid());
        assertThat(api.put("/api/v1/devices/" + device.id() + "/x509", Map.of("certificate_pem", certificate.pem()))
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(200);
        assertThat(sendWithPython(certificate, device.id().toString(), "{\"python_x509\": 1}"))
                .as("its own certificate, named by its id")
                .isZero();
        assertThat(Points.count(device.id(), "python_x509")).isEqualTo(1);

        TestCertificates.Issued stranger = TestCertificates.selfSigned("python-x509", TestCertificates.valid());
        assertThat(sendWithPython(stranger, device.id().toString(), "{\"python_x509\": 2}"))
                .as("another certificate naming the device")
                .isEqualTo(1);
        assertThat(Points.count(device.id(), "python_x509")).isEqualTo(1);
    }

    private int sendWithPython(TestCertificates.Issued certificate, String name, String json) throws Exception {
        Path directory = java.nio.file.Files.createTempDirectory("amqps-x509");
        Path cert = java.nio.file.Files.writeString(directory.resolve("device.pem"), certificate.pem());
        Path key = java.nio.file.Files.writeString(directory.resolve("device.key"), certificate.keyPem());
        ProcessBuilder builder = new ProcessBuilder(
                        "/usr/bin/python3",
                        Path.of("src/test/resources/amqp/send_x509.py")
                                .toAbsolutePath()
                                .toString(),
                        "127.0.0.1:" + transport.tlsPort(),
                        cert.toString(),
                        key.toString(),
                        name,
                        json)
                .redirectErrorStream(true);
        Process send = builder.start();
        try {
            assertThat(send.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String output = new String(send.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            System.out.println("send_x509.py " + name + " exit " + send.exitValue() + ":\n" + output);
            return send.exitValue();
        } finally {
            java.nio.file.Files.delete(cert);
            java.nio.file.Files.delete(key);
            java.nio.file.Files.delete(directory);
        }
    }

    /** Finding 5 of the second review: a certificate session ends when its certificate stops being trusted. */
    @Test
    @Timeout(90)
    void anOpenAmqpsCertificateSessionEndsOnUnregisterRevocationAndCaDeletion() throws Exception {
        UUID tenant = fixture.tenant("Amqp x509 sessions");
        Fixture.Member admin = fixture.member(tenant, "admin");
        CertificateAuthorities cas = new CertificateAuthorities(api);
        String slug = cas.slug(admin.accessToken(), tenant);

        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), Fixture.unique("amqps-reg"));
        TestCertificates.Issued own = TestCertificates.selfSigned("amqps-reg", TestCertificates.valid());
        assertThat(api.put("/api/v1/devices/" + device.id() + "/x509", Map.of("certificate_pem", own.pem()))
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(200);
        ProtonConnection registered =
                connectExternal(own, device.id().toString()).get(10, TimeUnit.SECONDS);
        CompletableFuture<ErrorCondition> unregistered = closed(registered);
        assertThat(api.delete("/api/v1/devices/" + device.id() + "/x509")
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        assertThat(unregistered.get(10, TimeUnit.SECONDS).getCondition().toString())
                .as("closed after the certificate was unregistered")
                .isEqualTo("amqp:unauthorized-access");

        TestCertificates.Issued ca = TestCertificates.ca("Amqp CA " + UUID.randomUUID());
        UUID caId = cas.addVerified(admin.accessToken(), ca);
        String name = Fixture.unique("amqps-ca");
        TestCertificates.Issued revokedLater = TestCertificates.signed(ca, name);
        ProtonConnection revokedConnection =
                connectExternal(revokedLater, slug + "/" + name).get(10, TimeUnit.SECONDS);
        assertThat(send(open(revokedConnection, "telemetry"), "{\"amqps_ca\": 1}"))
                .isInstanceOf(Accepted.class);
        CompletableFuture<ErrorCondition> revoked = closed(revokedConnection);
        ProtonConnection sibling = connectExternal(TestCertificates.signed(ca, name), slug + "/" + name)
                .get(10, TimeUnit.SECONDS);
        CompletableFuture<ErrorCondition> deleted = closed(sibling);
        assertThat(api.post(
                                "/api/v1/ca-certificates/" + caId + "/revocations",
                                Map.of("serial_number", revokedLater.serialHex()))
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        assertThat(revoked.get(10, TimeUnit.SECONDS).getCondition().toString())
                .as("closed after its serial was revoked")
                .isEqualTo("amqp:unauthorized-access");
        assertThat(deleted).as("another serial of the CA").isNotDone();

        assertThat(api.delete("/api/v1/ca-certificates/" + caId)
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        assertThat(deleted.get(10, TimeUnit.SECONDS).getCondition().toString())
                .as("closed after its CA was deleted")
                .isEqualTo("amqp:unauthorized-access");
    }

    /** Completes with the condition of the close frame the platform sends. */
    private static CompletableFuture<ErrorCondition> closed(ProtonConnection connection) {
        CompletableFuture<ErrorCondition> closed = new CompletableFuture<>();
        CLIENT_VERTX.runOnContext(v -> connection
                .closeHandler(result -> closed.complete(connection.getRemoteCondition()))
                .disconnectHandler(c -> closed.completeExceptionally(new IllegalStateException("no close frame"))));
        return closed;
    }

    /** Refused in SASL, or (a device named by its container id) closed with amqp:unauthorized-access after open. */
    private static void assertRefused(CompletableFuture<ProtonConnection> connecting) throws Exception {
        ProtonConnection connection;
        try {
            connection = connecting.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException refusedInSasl) {
            return;
        }
        CompletableFuture<ErrorCondition> closed = new CompletableFuture<>();
        CLIENT_VERTX.runOnContext(v -> {
            if (connection.getRemoteCondition() != null) {
                closed.complete(connection.getRemoteCondition());
            } else {
                connection.closeHandler(result -> closed.complete(connection.getRemoteCondition()));
            }
        });
        assertThat(closed.get(10, TimeUnit.SECONDS).getCondition().toString()).isEqualTo("amqp:unauthorized-access");
    }

    /** SASL EXTERNAL with the certificate; the device named by the container id of the open frame. */
    private CompletableFuture<ProtonConnection> connectExternal(TestCertificates.Issued certificate, String name) {
        CompletableFuture<ProtonConnection> opened = new CompletableFuture<>();
        ProtonClientOptions tls = new ProtonClientOptions()
                .addEnabledSaslMechanism("EXTERNAL")
                .setSsl(true)
                .setTrustAll(true)
                .setKeyCertOptions(new io.vertx.core.net.PfxOptions()
                        .setValue(io.vertx.core.buffer.Buffer.buffer(certificate.pkcs12()))
                        .setPassword(TestCertificates.PASSWORD));
        tls.setHostnameVerificationAlgorithm("");
        CLIENT_VERTX.runOnContext(v -> ProtonClient.create(CLIENT_VERTX)
                .connect(tls, "127.0.0.1", transport.tlsPort(), result -> {
                    if (result.succeeded()) {
                        result.result().setContainer(name);
                    }
                    openedOrFailed(result, opened);
                }));
        return opened;
    }

    @Test
    void badCredentialsFailTheSaslExchange() {
        CompletableFuture<ProtonConnection> refused = connect("not-a-token");
        assertThat(refused).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class);
    }

    @Test
    void pythonQpidProtonSendsAndTheDataLands() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("python"));
        Process send = new ProcessBuilder(
                        "/usr/bin/python3",
                        Path.of("src/test/resources/amqp/send.py")
                                .toAbsolutePath()
                                .toString(),
                        "127.0.0.1:" + transport.port(),
                        device.token(),
                        "{\"python\": 3}")
                .redirectErrorStream(true)
                .start();
        assertThat(send.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(send.exitValue())
                .as(new String(send.getInputStream().readAllBytes()))
                .isZero();
        assertThat(Points.count(device.id(), "python")).isEqualTo(1);
    }

    @Test
    @Timeout(60)
    void pythonQpidProtonSendingOneMebibyteIsRefusedAtOnce() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("python-big"));
        Process send = new ProcessBuilder(
                        "/usr/bin/python3",
                        Path.of("src/test/resources/amqp/send-oversized.py")
                                .toAbsolutePath()
                                .toString(),
                        "127.0.0.1:" + transport.port(),
                        device.token(),
                        String.valueOf(1024 * 1024),
                        // the client's own patience: an answer that does not come within it is the bug
                        "10")
                .redirectErrorStream(true)
                .start();
        assertThat(send.waitFor(45, TimeUnit.SECONDS)).isTrue();
        String outcome = new String(send.getInputStream().readAllBytes()).strip();
        // closed, not only detached: clients wait for a detached link to come back (python-qpid-proton's
        // BlockingConnection waited out its timeout)
        assertThat(outcome).as(outcome).endsWith("detached amqp:link:message-size-exceeded");
        assertThat(Points.count(device.id(), "big")).isZero();
    }

    private CompletableFuture<ProtonConnection> connect(String token) {
        CompletableFuture<ProtonConnection> opened = new CompletableFuture<>();
        CLIENT_VERTX.runOnContext(v -> ProtonClient.create(CLIENT_VERTX)
                .connect(
                        new ProtonClientOptions().addEnabledSaslMechanism("PLAIN"),
                        "127.0.0.1",
                        transport.port(),
                        token,
                        "unused",
                        result -> openedOrFailed(result, opened)));
        return opened;
    }

    /** Opens a connected connection, completing {@code opened} with it or with why it failed. */
    private static void openedOrFailed(
            io.vertx.core.AsyncResult<ProtonConnection> connected, CompletableFuture<ProtonConnection> opened) {
        if (connected.failed()) {
            opened.completeExceptionally(connected.cause());
            return;
        }
        connected
                .result()
                .openHandler(open -> {
                    if (open.succeeded()) {
                        opened.complete(open.result());
                    } else {
                        opened.completeExceptionally(open.cause());
                    }
                })
                .open();
    }

    private static ProtonSender open(ProtonConnection connection, String address) throws Exception {
        CompletableFuture<ProtonSender> opened = new CompletableFuture<>();
        CLIENT_VERTX.runOnContext(v -> connection
                .createSender(address)
                .openHandler(result -> {
                    if (result.succeeded()) {
                        opened.complete(result.result());
                    } else {
                        opened.completeExceptionally(result.cause());
                    }
                })
                .open());
        return opened.get(10, TimeUnit.SECONDS);
    }

    private static DeliveryState send(ProtonSender sender, String json) throws Exception {
        CompletableFuture<DeliveryState> settled = new CompletableFuture<>();
        Message message = Message.Factory.create();
        message.setBody(new Data(new Binary(json.getBytes(StandardCharsets.UTF_8))));
        CLIENT_VERTX.runOnContext(v -> sender.send(message, delivery -> settled.complete(delivery.getRemoteState())));
        return settled.get(10, TimeUnit.SECONDS);
    }
}
