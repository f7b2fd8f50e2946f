package io.insa.iiot.transport.amqp;

import io.vertx.core.Vertx;
import io.vertx.proton.ProtonClient;
import io.vertx.proton.ProtonClientOptions;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.ProtonSender;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.message.Message;

/** AMQP 1.0 senders of one listener (Vert.x Proton's client), authenticated with a device token. */
final class AmqpTestClients implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final int port;

    AmqpTestClients(int port) {
        this.port = port;
    }

    /** An open link to the {@code telemetry} address on a new connection. */
    ProtonSender telemetryLink(String token) throws Exception {
        CompletableFuture<ProtonSender> opened = new CompletableFuture<>();
        vertx.runOnContext(v -> ProtonClient.create(vertx)
                .connect(
                        new ProtonClientOptions().addEnabledSaslMechanism("PLAIN"),
                        "127.0.0.1",
                        port,
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

    /** Sends a JSON message; completes with the platform's disposition of it. */
    CompletableFuture<DeliveryState> send(ProtonSender sender, String json) {
        CompletableFuture<DeliveryState> settled = new CompletableFuture<>();
        Message message = Message.Factory.create();
        message.setBody(new Data(new Binary(json.getBytes(StandardCharsets.UTF_8))));
        vertx.runOnContext(v -> sender.send(message, delivery -> settled.complete(delivery.getRemoteState())));
        return settled;
    }

    int credit(ProtonSender sender) throws Exception {
        CompletableFuture<Integer> credit = new CompletableFuture<>();
        vertx.runOnContext(v -> credit.complete(sender.getCredit()));
        return credit.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        vertx.close();
    }
}
