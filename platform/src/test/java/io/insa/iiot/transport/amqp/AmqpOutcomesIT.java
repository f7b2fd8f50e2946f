package io.insa.iiot.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.transport.FakeIngest;
import io.insa.iiot.transport.FakeIngestTest;
import io.vertx.core.Vertx;
import io.vertx.proton.ProtonClient;
import io.vertx.proton.ProtonClientOptions;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.ProtonSender;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/** What AMQP senders are told for each ingest outcome, with the outcome chosen by a fake. */
@Timeout(60)
class AmqpOutcomesIT extends FakeIngestTest {

    private static final Vertx CLIENT_VERTX = Vertx.vertx();

    @Autowired
    AmqpTransport transport;

    @AfterAll
    static void closeClient() {
        CLIENT_VERTX.close();
    }

    @Test
    void aHeldCommitHoldsTheDispositionUntilItCompletes() throws Exception {
        ProtonSender sender = telemetryLink(device("amqp-held").token());
        ingest.mode(FakeIngest.Mode.HOLD);

        CompletableFuture<DeliveryState> settled = send(sender);
        CompletableFuture<IngestResult> commit = ingest.nextHeld();
        Thread.sleep(500);
        assertThat(settled).as("not settled before the commit").isNotDone();

        commit.complete(new IngestResult.Accepted(1));
        assertThat(settled.get(10, TimeUnit.SECONDS)).isInstanceOf(Accepted.class);
        sender.getSession().getConnection().close();
    }

    @Test
    void aMessageThatCannotBeStoredIsReleased() throws Exception {
        ProtonSender sender = telemetryLink(device("amqp-failed").token());
        ingest.mode(FakeIngest.Mode.FAIL);

        assertThat(send(sender).get(10, TimeUnit.SECONDS)).isInstanceOf(Released.class);
        ingest.mode(FakeIngest.Mode.ACCEPT);
        assertThat(send(sender).get(10, TimeUnit.SECONDS))
                .as("the link goes on")
                .isInstanceOf(Accepted.class);
        sender.getSession().getConnection().close();
    }

    @Test
    void whileTheIngestQueueIsHighNoCreditIsGrantedAndTheLinkStaysOpen() throws Exception {
        ProtonSender sender = telemetryLink(device("amqp-high").token());
        raisePressure();
        int credit = settings.linkCredit();

        for (int i = 0; i < credit; i++) {
            assertThat(send(sender).get(10, TimeUnit.SECONDS)).isInstanceOf(Accepted.class);
        }
        assertThat(credit(sender)).as("the credit spent is not renewed").isZero();
        CompletableFuture<DeliveryState> waiting = send(sender);
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

    private static int credit(ProtonSender sender) throws Exception {
        CompletableFuture<Integer> credit = new CompletableFuture<>();
        CLIENT_VERTX.runOnContext(v -> credit.complete(sender.getCredit()));
        return credit.get(10, TimeUnit.SECONDS);
    }

    private ProtonSender telemetryLink(String token) throws Exception {
        CompletableFuture<ProtonSender> opened = new CompletableFuture<>();
        CLIENT_VERTX.runOnContext(v -> ProtonClient.create(CLIENT_VERTX)
                .connect(
                        new ProtonClientOptions().addEnabledSaslMechanism("PLAIN"),
                        "127.0.0.1",
                        transport.port(),
                        token,
                        "unused",
                        connected -> {
                            if (connected.failed()) {
                                opened.completeExceptionally(connected.cause());
                                return;
                            }
                            ProtonConnection connection = connected.result();
                            connection.open();
                            connection
                                    .createSender("telemetry")
                                    .openHandler(link -> {
                                        if (link.succeeded()) {
                                            opened.complete(link.result());
                                        } else {
                                            opened.completeExceptionally(link.cause());
                                        }
                                    })
                                    .open();
                        }));
        return opened.get(10, TimeUnit.SECONDS);
    }

    private static CompletableFuture<DeliveryState> send(ProtonSender sender) {
        CompletableFuture<DeliveryState> settled = new CompletableFuture<>();
        Message message = Message.Factory.create();
        message.setBody(new Data(new Binary("{\"t\": 1}".getBytes(StandardCharsets.UTF_8))));
        CLIENT_VERTX.runOnContext(v -> sender.send(message, delivery -> settled.complete(delivery.getRemoteState())));
        return settled;
    }
}
