package io.insa.iiot.transport.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * MQTT clients of one listener, connected with a device's credentials; {@code closedByServer}
 * completes with the cause when the server ends the connection.
 */
final class MqttTestClients {

    private final int port;

    MqttTestClients(int port) {
        this.port = port;
    }

    Mqtt5BlockingClient v5(String token, CompletableFuture<Throwable> closedByServer) {
        Mqtt5BlockingClient client = builder(UUID.randomUUID().toString(), closedByServer)
                .useMqttVersion5()
                .buildBlocking();
        client.connectWith().simpleAuth().username(token).applySimpleAuth().send();
        return client;
    }

    Mqtt3BlockingClient v3(String token, CompletableFuture<Throwable> closedByServer) {
        Mqtt3BlockingClient client = builder(UUID.randomUUID().toString(), closedByServer)
                .useMqttVersion3()
                .buildBlocking();
        client.connectWith().simpleAuth().username(token).applySimpleAuth().send();
        return client;
    }

    /** Connected with MQTT basic credentials. */
    Mqtt5BlockingClient v5(
            String clientId, String username, String password, CompletableFuture<Throwable> closedByServer) {
        Mqtt5BlockingClient client =
                builder(clientId, closedByServer).useMqttVersion5().buildBlocking();
        client.connectWith()
                .simpleAuth()
                .username(username)
                .password(password.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth()
                .send();
        return client;
    }

    private com.hivemq.client.mqtt.MqttClientBuilder builder(
            String identifier, CompletableFuture<Throwable> closedByServer) {
        return MqttClient.builder()
                .identifier(identifier)
                .serverHost("127.0.0.1")
                .serverPort(port)
                .addDisconnectedListener(context -> {
                    if (context.getSource() == MqttDisconnectSource.SERVER) {
                        closedByServer.complete(context.getCause());
                    }
                });
    }

    /** The reason code of a QoS 1 publish's PUBACK, or null when none came (the connection closed). */
    static Mqtt5PubAckReasonCode pubAck(Mqtt5BlockingClient client, String topic, String payload) {
        try {
            Mqtt5PublishResult result = client.publishWith()
                    .topic(topic)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(payload.getBytes(StandardCharsets.UTF_8))
                    .send();
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck().getReasonCode();
        } catch (Mqtt5PubAckException e) {
            return e.getMqttMessage().getReasonCode();
        } catch (RuntimeException closed) {
            return null;
        }
    }
}
