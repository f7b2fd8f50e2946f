package io.insa.iiot.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.OutageTest;
import io.insa.iiot.support.Points;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * SPEC 11: PostgreSQL goes away for 10 s under MQTT 3.1.1 and 5 devices publishing without timestamps.
 * Shorter than the answer timeout, the outage is ridden out: the platform holds its batches and reads
 * nothing new, closes no connection, and acknowledges every message once the database is back, each
 * one stored.
 */
@Timeout(120)
class MqttDatabaseRideOutIT extends OutageTest {

    private static final int DEVICES_PER_VERSION = 10;
    private static final Duration OUTAGE = Duration.ofSeconds(10);

    @Autowired
    MqttTransport transport;

    @Autowired
    MeterRegistry meters;

    /** A device's client: publishes {"seq": n} and keeps the PUBACK futures. */
    private record Device(
            Fixture.DeviceHandle handle,
            Function<byte[], CompletableFuture<Boolean>> publish,
            CompletableFuture<Throwable> closedByServer,
            Map<Long, CompletableFuture<Boolean>> acknowledged,
            Runnable disconnect) {}

    @Test
    void aTenSecondOutageClosesNoConnectionAndEveryMessageIsAcknowledgedAndStored() throws Exception {
        UUID tenant = fixture.tenant("MQTT ride-out");
        Fixture.Member operator = fixture.member(tenant, "operator");
        MqttTestClients clients = new MqttTestClients(transport.port());
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < DEVICES_PER_VERSION; i++) {
            devices.add(v3(clients, fixture.device(operator.accessToken(), Fixture.unique("v3"))));
            devices.add(v5(clients, fixture.device(operator.accessToken(), Fixture.unique("v5"))));
        }
        double heldBefore = meters.counter("insa.ingest.batches.held").count();

        List<Thread> senders = new ArrayList<>();
        List<Boolean> sending = new ArrayList<>(List.of(true));
        for (Device device : devices) {
            senders.add(Thread.ofVirtual().start(() -> {
                for (long seq = 0; sending.get(0); seq++) {
                    byte[] payload = ("{\"seq\": " + seq + "}").getBytes(StandardCharsets.UTF_8);
                    device.acknowledged().put(seq, device.publish().apply(payload));
                    pause(Duration.ofMillis(50)); // 20 msg/s a device, 400 msg/s in all
                }
            }));
        }
        pause(Duration.ofSeconds(2));
        DATABASE.cut();
        pause(OUTAGE);
        DATABASE.restore();
        pause(Duration.ofSeconds(2));
        sending.set(0, false);
        for (Thread sender : senders) {
            sender.join(Duration.ofSeconds(10));
        }

        for (Device device : devices) {
            CompletableFuture.allOf(device.acknowledged().values().toArray(CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS);
            assertThat(device.closedByServer())
                    .as("the server closed the connection")
                    .isNotDone();
            assertThat(device.acknowledged().values())
                    .as("every publish acknowledged with success")
                    .allMatch(CompletableFuture::join);
            assertThat(new HashSet<>(
                            Points.longValuesInTimeOrder(tenant, device.handle().id(), "seq")))
                    .as("every acknowledged message stored")
                    .containsAll(device.acknowledged().keySet());
            device.disconnect().run();
        }
        assertThat(meters.counter("insa.ingest.batches.held").count())
                .as("the writers held batches for the outage")
                .isGreaterThan(heldBefore);
    }

    private static Device v3(MqttTestClients clients, Fixture.DeviceHandle handle) {
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        Mqtt3AsyncClient client = clients.v3(handle.token(), closed).toAsync();
        return new Device(
                handle,
                payload -> client.publishWith()
                        .topic(MqttSession.TELEMETRY)
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload(payload)
                        .send()
                        .handle((result, failure) -> failure == null),
                closed,
                new ConcurrentHashMap<>(),
                client::disconnect);
    }

    private static Device v5(MqttTestClients clients, Fixture.DeviceHandle handle) {
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        Mqtt5AsyncClient client = clients.v5(handle.token(), closed).toAsync();
        return new Device(
                handle,
                payload -> client.publishWith()
                        .topic(MqttSession.TELEMETRY)
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload(payload)
                        .send()
                        .handle((result, failure) -> failure == null
                                && ((Mqtt5PublishResult.Mqtt5Qos1Result) result)
                                                .getPubAck()
                                                .getReasonCode()
                                        == Mqtt5PubAckReasonCode.SUCCESS),
                closed,
                new ConcurrentHashMap<>(),
                client::disconnect);
    }
}
