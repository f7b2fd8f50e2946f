package io.insa.iiot.loadgen;

import io.vertx.core.Vertx;
import io.vertx.proton.ProtonClient;
import io.vertx.proton.ProtonClientOptions;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.ProtonSender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.message.Message;

/**
 * AMQP 1.0 ingest load: one connection per device (SASL PLAIN with its token, Vert.x Proton), a link to
 * {@code telemetry} each, messages at a target total rate; latency is send to the accepted disposition.
 */
final class AmqpLoad {

    private final Options options;

    AmqpLoad(Options options) {
        this.options = options;
    }

    void run() throws Exception {
        String host = options.get("amqp-host", "127.0.0.1");
        int port = options.integer("amqp-port", 5672);
        int rate = options.integer("rate", 2_000);
        int points = options.integer("points", 3);
        List<String> tokens = PlatformClient.provisionedDevices(options, "amqp");
        Duration duration = Duration.ofSeconds(options.integer("duration", 60));
        Duration warmup = Duration.ofSeconds(options.integer("warmup", 20));
        Vertx vertx = Vertx.vertx();
        List<ProtonSender> senders = new ArrayList<>();
        long started = System.nanoTime();
        for (String token : tokens) {
            CompletableFuture<ProtonSender> opened = new CompletableFuture<>();
            vertx.runOnContext(v -> ProtonClient.create(vertx)
                    .connect(
                            new ProtonClientOptions().addEnabledSaslMechanism("PLAIN"),
                            host,
                            port,
                            token,
                            "unused",
                            result -> {
                                if (result.failed()) {
                                    opened.completeExceptionally(result.cause());
                                    return;
                                }
                                ProtonConnection connection = result.result();
                                connection
                                        .openHandler(open -> {
                                            ProtonSender sender = connection.createSender("telemetry");
                                            sender.openHandler(link -> opened.complete(sender))
                                                    .open();
                                        })
                                        .open();
                            }));
            senders.add(opened.join());
        }
        System.out.printf(
                "connect: %d AMQP connections in %.1f s%n", senders.size(), (System.nanoTime() - started) / 1e9);
        System.out.printf(
                "method:  AMQP 1.0 (Vert.x Proton client), one connection and link per device, %d points a message, target %d msg/s,"
                        + " warm-up %d s, measured %d s%n",
                points, rate, warmup.toSeconds(), duration.toSeconds());
        PacedLoad.run(senders.size(), rate, points, warmup, duration, "accepted after commit", (index, payload) -> {
            CompletableFuture<String> done = new CompletableFuture<>();
            Message message = Message.Factory.create();
            message.setBody(new Data(new Binary(payload)));
            ProtonSender sender = senders.get(index);
            vertx.runOnContext(v -> sender.send(
                    message,
                    delivery -> done.complete(
                            delivery.getRemoteState() instanceof Accepted
                                    ? null
                                    : String.valueOf(delivery.getRemoteState()))));
            return done;
        });
        vertx.close();
    }
}
