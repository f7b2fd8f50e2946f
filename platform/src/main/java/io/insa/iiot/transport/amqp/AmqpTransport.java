package io.insa.iiot.transport.amqp;

import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestPressure;
import io.insa.iiot.transport.DeviceEdge;
import io.insa.iiot.transport.InFlight;
import io.insa.iiot.transport.TransportKeystores;
import io.insa.iiot.transport.TransportMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.ProtonServer;
import io.vertx.proton.ProtonServerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The AMQP 1.0 server (Vert.x Proton), SPEC 5 AMQP column: a plain listener and, when configured, a
 * TLS one. Devices authenticate in SASL ({@link DeviceSaslAuthenticator}: PLAIN with the access token,
 * or on TLS EXTERNAL with their certificate); each connection is an {@link AmqpConnection} with the
 * links of {@link AmqpLinks}. Stops after what it admitted is settled.
 */
@Component
class AmqpTransport implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AmqpTransport.class);

    private final Vertx vertx;
    private final AmqpSettings settings;
    private final DeviceEdge edge;
    private final TransportKeystores keystores;
    private final AmqpLinks links;
    private final Set<ProtonConnection> open = ConcurrentHashMap.newKeySet();
    private final InFlight inFlight = new InFlight();
    /** Ingest admission may wait; never on an event loop. */
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();

    private final List<ProtonServer> servers = new ArrayList<>();

    AmqpTransport(
            Vertx vertx,
            AmqpSettings settings,
            DeviceEdge edge,
            Ingest ingest,
            IngestPressure pressure,
            CommandChannels commandChannels,
            Commands commands,
            TransportKeystores keystores,
            MeterRegistry registry) {
        this.vertx = vertx;
        this.settings = settings;
        this.edge = edge;
        this.keystores = keystores;
        TransportMetrics metrics = new TransportMetrics(registry, "amqp", open);
        this.links = new AmqpLinks(
                ingest, pressure, commandChannels, commands, metrics, inFlight, blocking, settings.linkCredit());
    }

    @Override
    public void start() {
        if (!settings.enabled()) {
            return;
        }
        servers.add(listen(new ProtonServerOptions().setHost(settings.host()).setPort(settings.port())));
        if (settings.tls() != null && settings.tls().enabled()) {
            servers.add(listen(keystores.deviceTls(
                    new ProtonServerOptions().setHost(settings.host()),
                    settings.tls().port(),
                    settings.tls().keystore(),
                    settings.tls().keystorePassword())));
        }
    }

    private ProtonServer listen(ProtonServerOptions options) {
        ProtonServer created = ProtonServer.create(vertx, options)
                .saslAuthenticatorFactory(() -> new DeviceSaslAuthenticator(edge))
                .connectHandler(connection -> new AmqpConnection(connection, vertx, edge, links, open).start());
        CompletableFuture<Void> listening = new CompletableFuture<>();
        created.listen(result -> {
            if (result.succeeded()) {
                listening.complete(null);
            } else {
                listening.completeExceptionally(result.cause());
            }
        });
        listening.join();
        log.info("AMQP listening on {}:{}{}", settings.host(), created.actualPort(), options.isSsl() ? " (TLS)" : "");
        return created;
    }

    int port() {
        return servers.getFirst().actualPort();
    }

    /** The TLS listener's port, or -1. */
    int tlsPort() {
        return servers.size() > 1 ? servers.get(1).actualPort() : -1;
    }

    @Override
    public void stop() {
        inFlight.awaitIdle(Duration.ofSeconds(10)); // admitted deliveries are settled before the listener goes
        servers.forEach(ProtonServer::close);
        servers.clear();
        blocking.shutdown();
    }

    @Override
    public boolean isRunning() {
        return !servers.isEmpty();
    }
}
