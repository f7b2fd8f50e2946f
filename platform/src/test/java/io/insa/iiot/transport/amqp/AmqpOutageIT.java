package io.insa.iiot.transport.amqp;

import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.OutageTest;
import io.vertx.proton.ProtonSender;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/** AMQP senders through a database outage: accepted only when stored, released (send again) otherwise. */
@Timeout(120)
class AmqpOutageIT extends OutageTest {

    @Autowired
    AmqpTransport transport;

    @Test
    void everyMessageIsSettledAndEveryAcceptedOneIsStored() throws Exception {
        Fixture.Member operator = fixture.member(fixture.tenant("AMQP outage"), "operator");
        try (AmqpTestClients clients = new AmqpTestClients(transport.port())) {
            List<AmqpSender> senders = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("amqp"));
                senders.add(new AmqpSender(clients, device, clients.telemetryLink(device.token())));
            }

            sendThroughAnOutage(operator, senders);
        }
    }

    private static final class AmqpSender extends Sender {
        private final AmqpTestClients clients;
        private final ProtonSender link;

        AmqpSender(AmqpTestClients clients, Fixture.DeviceHandle device, ProtonSender link) {
            super(device);
            this.clients = clients;
            this.link = link;
        }

        @Override
        protected Outcome send(String payload) {
            try {
                DeliveryState state = clients.send(link, payload).get(20, TimeUnit.SECONDS);
                if (state instanceof Accepted) {
                    return Outcome.STORED;
                }
                return state instanceof Released ? Outcome.RETRY : Outcome.OTHER;
            } catch (Exception noSettlement) {
                return Outcome.OTHER;
            }
        }
    }
}
