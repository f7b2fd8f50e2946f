package io.insa.iiot.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.transport.FakeIngest;
import io.insa.iiot.transport.FakeIngestTest;
import io.vertx.proton.ProtonSender;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/** What AMQP senders are told for each ingest outcome, with the outcome chosen by a fake. */
@Timeout(60)
class AmqpOutcomesIT extends FakeIngestTest {

    @Autowired
    AmqpTransport transport;

    private AmqpTestClients clients;

    @BeforeEach
    void client() {
        clients = new AmqpTestClients(transport.port());
    }

    @AfterEach
    void closeClient() {
        clients.close();
    }

    @Test
    void aHeldCommitHoldsTheDispositionUntilItCompletes() throws Exception {
        ProtonSender sender = clients.telemetryLink(device("amqp-held").token());
        ingest.mode(FakeIngest.Mode.HOLD);

        CompletableFuture<DeliveryState> settled = clients.send(sender, "{\"t\": 1}");
        CompletableFuture<IngestResult> commit = ingest.nextHeld();
        Thread.sleep(500);
        assertThat(settled).as("not settled before the commit").isNotDone();

        commit.complete(new IngestResult.Accepted(1));
        assertThat(settled.get(10, TimeUnit.SECONDS)).isInstanceOf(Accepted.class);
        sender.getSession().getConnection().close();
    }

    @Test
    void aMessageThatCannotBeStoredIsReleased() throws Exception {
        ProtonSender sender = clients.telemetryLink(device("amqp-failed").token());
        ingest.mode(FakeIngest.Mode.FAIL);

        assertThat(clients.send(sender, "{\"t\": 1}").get(10, TimeUnit.SECONDS)).isInstanceOf(Released.class);
        ingest.mode(FakeIngest.Mode.ACCEPT);
        assertThat(clients.send(sender, "{\"t\": 1}").get(10, TimeUnit.SECONDS))
                .as("the link goes on")
                .isInstanceOf(Accepted.class);
        sender.getSession().getConnection().close();
    }

    @Test
    void whileTheIngestQueueIsHighNoCreditIsGrantedAndTheLinkStaysOpen() throws Exception {
        ProtonSender sender = clients.telemetryLink(device("amqp-high").token());
        raisePressure();
        int credit = settings.linkCredit();

        for (int i = 0; i < credit; i++) {
            assertThat(clients.send(sender, "{\"t\": 1}").get(10, TimeUnit.SECONDS))
                    .isInstanceOf(Accepted.class);
        }
        assertThat(clients.credit(sender)).as("the credit spent is not renewed").isZero();
        CompletableFuture<DeliveryState> waiting = clients.send(sender, "{\"t\": 1}");
        Thread.sleep(500);
        assertThat(waiting).isNotDone();
        assertThat(ingest.calls()).isEqualTo(credit);

        lowerPressure();
        assertThat(waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(Accepted.class);
        assertThat(sender.isOpen()).isTrue();
        sender.getSession().getConnection().close();
    }

    @Autowired
    AmqpSettings settings;
}
