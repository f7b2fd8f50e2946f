package io.insa.iiot.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.advanced.interceptor.Mqtt5ClientInterceptors;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.transport.FakeIngest;
import io.insa.iiot.transport.FakeIngestTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * What MQTT clients are told for each ingest outcome, with the outcome chosen by a fake: a held
 * outcome holds the PUBACK (and every later one), a failure is a try-later, a high ingest queue
 * pauses reads instead of closing connections.
 */
@Timeout(60)
class MqttOutcomesIT extends FakeIngestTest {

    private static final String TELEMETRY = "v1/devices/me/telemetry";
    private static final IngestResult ACCEPTED = new IngestResult.Accepted(1);

    @Autowired
    MqttTransport transport;

    private MqttTestClients clients;
    private final CompletableFuture<Throwable> closedByServer = new CompletableFuture<>();

    @BeforeEach
    void clients() {
        clients = new MqttTestClients(transport.port());
    }

    @Test
    void aCommandResponseAndAnUnknownTopicAreAcknowledgedOnlyAfterTheTelemetryBeforeThem() throws Exception {
        // the interceptor sees the PUBACKs in the order they arrive (futures may complete on other threads)
        List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
        Mqtt5AsyncClient client = MqttClient.builder()
                .useMqttVersion5()
                .identifier(UUID.randomUUID().toString())
                .serverHost("127.0.0.1")
                .serverPort(transport.port())
                .advancedConfig()
                .interceptors(Mqtt5ClientInterceptors.builder()
                        .outgoingQos1Interceptor((config, publish, pubAck) ->
                                acknowledged.add(publish.getTopic().toString()))
                        .build())
                .applyAdvancedConfig()
                .buildAsync();
        client.connectWith()
                .simpleAuth()
                .username(device("order").token())
                .applySimpleAuth()
                .send()
                .get(10, TimeUnit.SECONDS);
        ingest.mode(FakeIngest.Mode.HOLD);

        CompletableFuture<?> telemetry = publish(client, TELEMETRY);
        CompletableFuture<IngestResult> commit = ingest.nextHeld();
        CompletableFuture<?> response = publish(client, "v1/devices/me/rpc/response/42");
        CompletableFuture<?> unknown = publish(client, "v1/devices/other/telemetry");
        Thread.sleep(500);
        assertThat(telemetry).as("no PUBACK before the commit").isNotDone();
        assertThat(response).as("no PUBACK overtakes an earlier PUBLISH's").isNotDone();
        assertThat(unknown).isNotDone();

        commit.complete(ACCEPTED);
        telemetry.get(10, TimeUnit.SECONDS);
        response.get(10, TimeUnit.SECONDS);
        assertThat(unknown)
                .failsWithin(10, TimeUnit.SECONDS)
                .withThrowableOfType(Exception.class)
                .satisfies(e -> assertThat(((Mqtt5PubAckException) e.getCause())
                                .getMqttMessage()
                                .getReasonCode())
                        .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
        assertThat(acknowledged)
                .containsExactly(TELEMETRY, "v1/devices/me/rpc/response/42", "v1/devices/other/telemetry");
        client.disconnect();
    }

    @Test
    void anMqtt5MessageThatCannotBeStoredIsAnsweredServerBusyWithoutAPubAck() throws Exception {
        Mqtt5AsyncClient client =
                clients.v5(device("busy5").token(), closedByServer).toAsync();
        ingest.mode(FakeIngest.Mode.FAIL);

        CompletableFuture<?> publish = publish(client, TELEMETRY);

        Throwable cause = closedByServer.get(10, TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
        assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5DisconnectReasonCode.SERVER_BUSY);
        assertThat(publish).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(Exception.class);
    }

    @Test
    void anAdmissionThatThrowsOnTheEventLoopIsAnsweredAsAFailure() throws Exception {
        Mqtt5AsyncClient client =
                clients.v5(device("throws").token(), closedByServer).toAsync();
        ingest.admitsFromMemory(true);
        ingest.mode(FakeIngest.Mode.THROW);

        CompletableFuture<?> publish = publish(client, TELEMETRY);

        Throwable cause = closedByServer.get(10, TimeUnit.SECONDS);
        assertThat(ingest.calls()).as("admitted on the event loop").isEqualTo(1);
        assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5DisconnectReasonCode.SERVER_BUSY);
        assertThat(publish).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(Exception.class);
    }

    @Test
    void anMqtt311MessageThatCannotBeStoredClosesTheConnectionWithoutAPubAck() throws Exception {
        Mqtt3AsyncClient client =
                clients.v3(device("busy3").token(), closedByServer).toAsync();
        ingest.mode(FakeIngest.Mode.FAIL);

        CompletableFuture<?> publish = publish(client, TELEMETRY);

        closedByServer.get(10, TimeUnit.SECONDS);
        assertThat(publish).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(Exception.class);
    }

    @Test
    void whileTheIngestQueueIsHighNothingIsReadAndNoConnectionIsClosed() throws Exception {
        Mqtt3AsyncClient v3 =
                clients.v3(device("paused3").token(), closedByServer).toAsync();
        CompletableFuture<Throwable> v5Closed = new CompletableFuture<>();
        Mqtt5AsyncClient v5 = clients.v5(device("paused5").token(), v5Closed).toAsync();
        raisePressure();
        awaitPausedConnections(2);

        CompletableFuture<?> first = publish(v3, TELEMETRY);
        CompletableFuture<?> second = publish(v5, TELEMETRY);
        Thread.sleep(700);
        assertThat(ingest.calls()).as("nothing read while the queue is high").isZero();
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();

        lowerPressure();
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);
        assertThat(ingest.calls()).isEqualTo(2);
        awaitPausedConnections(0);
        assertThat(closedByServer).isNotDone();
        assertThat(v5Closed).isNotDone();
        v3.disconnect();
        v5.disconnect();
    }

    @Test
    void anMqtt311ClientWithAHundredUnacknowledgedMessagesIsSlowedDownNotClosed() throws Exception {
        Mqtt3AsyncClient client =
                clients.v3(device("inflight").token(), closedByServer).toAsync();
        ingest.mode(FakeIngest.Mode.HOLD);
        List<CompletableFuture<?>> publishes = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            publishes.add(publish(client, TELEMETRY));
        }
        List<CompletableFuture<IngestResult>> held = new ArrayList<>();
        for (int i = 0; i < MqttSession.MAX_INFLIGHT; i++) {
            held.add(ingest.nextHeld());
        }
        Thread.sleep(500);
        assertThat(ingest.calls()).as("reads paused at the limit").isEqualTo(MqttSession.MAX_INFLIGHT);

        held.forEach(h -> h.complete(ACCEPTED));
        for (int i = MqttSession.MAX_INFLIGHT; i < 150; i++) {
            ingest.nextHeld().complete(ACCEPTED);
        }
        CompletableFuture.allOf(publishes.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(ingest.calls()).isEqualTo(150);
        assertThat(closedByServer).isNotDone();
        client.disconnect();
    }

    /**
     * Messages that waited in a paused connection are dropped with it when the connection closes: a
     * closed connection is never read again, or Vert.x refuses (and logs) each waiting message.
     */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aConnectionClosedWhilePausedIsNotReadAgain(CapturedOutput output) throws Exception {
        Mqtt3AsyncClient client =
                clients.v3(device("closed-paused").token(), closedByServer).toAsync();
        // handed over on the event loop, so in the order they came: the first held is the first message's
        // (from virtual threads the order is the scheduler's, and a later message's failure waits for earlier ones)
        ingest.admitsFromMemory(true);
        ingest.mode(FakeIngest.Mode.HOLD);
        for (int i = 0; i < 150; i++) {
            publish(client, TELEMETRY);
        }
        List<CompletableFuture<IngestResult>> held = new ArrayList<>();
        for (int i = 0; i < MqttSession.MAX_INFLIGHT; i++) {
            held.add(ingest.nextHeld());
        }

        held.get(0).complete(FakeIngest.FAILED); // MQTT 3.1.1: the connection is closed
        closedByServer.get(10, TimeUnit.SECONDS);
        held.forEach(h -> h.complete(ACCEPTED)); // the rest are answered after the close

        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(output.getAll()).doesNotContain("not connected client"));
        assertThat(ingest.calls()).isEqualTo(MqttSession.MAX_INFLIGHT);
    }

    private void awaitPausedConnections(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pausedConnections() != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(pausedConnections()).as("paused connections").isEqualTo(expected);
    }

    private double pausedConnections() {
        String metrics = management.get("/actuator/prometheus").send().text();
        return metrics.lines()
                .filter(l -> l.startsWith("insa_transport_connections_paused{transport=\"mqtt\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow();
    }

    private static CompletableFuture<?> publish(Mqtt5AsyncClient client, String topic) {
        return client.publishWith()
                .topic(topic)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"t\": 1}".getBytes(StandardCharsets.UTF_8))
                .send();
    }

    private static CompletableFuture<?> publish(Mqtt3AsyncClient client, String topic) {
        return client.publishWith()
                .topic(topic)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"t\": 1}".getBytes(StandardCharsets.UTF_8))
                .send();
    }
}
