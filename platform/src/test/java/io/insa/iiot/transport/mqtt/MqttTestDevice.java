package io.insa.iiot.transport.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.springframework.context.ApplicationContext;

/** A device on the platform's MQTT listener, for tests of other features (the console's live chart). */
public final class MqttTestDevice implements AutoCloseable {

    private final Mqtt5BlockingClient client;

    private MqttTestDevice(Mqtt5BlockingClient client) {
        this.client = client;
    }

    /** Connects with the device's access token as the MQTT username. */
    public static MqttTestDevice connect(ApplicationContext context, String token) {
        Mqtt5BlockingClient client = MqttClient.builder()
                .useMqttVersion5()
                .identifier(UUID.randomUUID().toString())
                .serverHost("127.0.0.1")
                .serverPort(context.getBean(MqttTransport.class).port())
                .buildBlocking();
        client.connectWith().simpleAuth().username(token).applySimpleAuth().send();
        return new MqttTestDevice(client);
    }

    /** Publishes telemetry at QoS 1; returns once the platform acknowledged it (stored). */
    public void telemetry(String json) {
        client.publishWith()
                .topic("v1/devices/me/telemetry")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(json.getBytes(StandardCharsets.UTF_8))
                .send();
    }

    /** Subscribes to commands (RPC requests), which makes the device one that takes them. */
    public MqttTestDevice takingCommands() {
        client.subscribeWith()
                .topicFilter("v1/devices/me/rpc/request/+")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        return this;
    }

    @Override
    public void close() {
        if (client.getState().isConnected()) { // the platform may have closed it (a rotated token)
            client.disconnect();
        }
    }
}
