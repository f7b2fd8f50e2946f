package io.insa.iiot.transport.mqtt;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.OutageTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * MQTT 5 devices through a database outage: a PUBACK only for what is stored; a message that cannot
 * be stored ends the connection (DISCONNECT server busy) without one, and the device reconnects and
 * goes on.
 */
@Timeout(120)
class MqttOutageIT extends OutageTest {

    @Autowired
    MqttTransport transport;

    @Test
    void everyMessageIsAnsweredAndEveryAcknowledgedOneIsStored() throws Exception {
        Fixture.Member operator = fixture.member(fixture.tenant("MQTT outage"), "operator");
        MqttTestClients clients = new MqttTestClients(transport.port());
        List<MqttSender> senders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            senders.add(new MqttSender(clients, fixture.device(operator.accessToken(), Fixture.unique("mqtt"))));
        }

        sendThroughAnOutage(operator, senders);

        senders.forEach(MqttSender::close);
    }

    private static final class MqttSender extends Sender {
        private final MqttTestClients clients;
        private Mqtt5BlockingClient client;

        MqttSender(MqttTestClients clients, Fixture.DeviceHandle device) {
            super(device);
            this.clients = clients;
        }

        @Override
        protected Outcome send(String payload) {
            if (client == null || !client.getState().isConnected()) {
                try {
                    client = clients.v5(device.token(), new CompletableFuture<>());
                } catch (RuntimeException refused) {
                    return Outcome.RETRY; // the platform cannot authenticate the device while it is cut off
                }
            }
            Mqtt5PubAckReasonCode code = MqttTestClients.pubAck(client, MqttSession.TELEMETRY, payload);
            if (code == null) {
                return Outcome.RETRY; // disconnected without a PUBACK: send again after reconnecting
            }
            return code == Mqtt5PubAckReasonCode.SUCCESS ? Outcome.STORED : Outcome.OTHER;
        }

        void close() {
            if (client != null && client.getState().isConnected()) {
                client.disconnect();
            }
        }
    }
}
