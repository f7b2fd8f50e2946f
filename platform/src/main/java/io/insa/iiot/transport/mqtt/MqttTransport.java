package io.insa.iiot.transport.mqtt;

import io.insa.iiot.command.ClientRpc;
import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.device.DeviceAttributes;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestPressure;
import io.insa.iiot.transport.AttributeSubscriptions;
import io.insa.iiot.transport.DeviceEdge;
import io.insa.iiot.transport.TransportKeystores;
import io.insa.iiot.transport.TransportMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The MQTT 3.1.1 / 5 server (Vert.x MQTT): a plain listener and, when configured, a TLS one. Each
 * connection is an {@link MqttSession}. Stops before the ingest writers, so that what it admitted is
 * still written and acknowledged.
 */
@Component
class MqttTransport implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MqttTransport.class);

    private final Vertx vertx;
    private final MqttSettings settings;
    private final DeviceEdge edge;
    private final Ingest ingest;
    private final IngestPressure pressure;
    private final TransportMetrics metrics;
    private final MqttDownlink.Services downlink;
    private final TransportKeystores keystores;
    private final List<MqttServer> servers = new ArrayList<>();
    private final Set<MqttSession> sessions = ConcurrentHashMap.newKeySet();
    /** Ingest admission may wait; never on an event loop. */
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();

    private volatile boolean running;

    MqttTransport(
            Vertx vertx,
            MqttSettings settings,
            DeviceEdge edge,
            Ingest ingest,
            IngestPressure pressure,
            CommandChannels commandChannels,
            Commands commands,
            ClientRpc clientRpc,
            DeviceAttributes attributes,
            AttributeSubscriptions subscriptions,
            TransportKeystores keystores,
            MeterRegistry registry) {
        this.vertx = vertx;
        this.settings = settings;
        this.edge = edge;
        this.ingest = ingest;
        this.pressure = pressure;
        this.downlink = new MqttDownlink.Services(
                ingest, commandChannels, commands, clientRpc, attributes, subscriptions, blocking);
        this.keystores = keystores;
        this.metrics = new TransportMetrics(registry, "mqtt", sessions);
        pressure.listen(() -> pressureChanged(true), () -> pressureChanged(false));
    }

    /**
     * Pauses (high) or resumes (low) the reads of every connection: one task per event loop flips all
     * of its connections, so a crossing costs a few tasks, not one per connection.
     */
    private void pressureChanged(boolean high) {
        Map<Context, List<MqttSession>> byLoop = sessions.stream().collect(Collectors.groupingBy(MqttSession::context));
        byLoop.forEach((context, onLoop) -> context.runOnContext(v -> onLoop.forEach(s -> s.pressure(high))));
    }

    @Override
    public void start() {
        if (!settings.enabled()) {
            return;
        }
        servers.add(listen(options().setPort(settings.port())));
        if (settings.tls() != null && settings.tls().enabled()) {
            servers.add(listen(keystores.deviceTls(
                    options(),
                    settings.tls().port(),
                    settings.tls().keystore(),
                    settings.tls().keystorePassword())));
        }
        running = true;
    }

    private MqttServerOptions options() {
        return new MqttServerOptions()
                .setHost(settings.host())
                .setMaxMessageSize(settings.maxMessageSize())
                .setTimeoutOnConnect(settings.connectTimeoutSeconds());
    }

    private MqttServer listen(MqttServerOptions options) {
        // through a Vert.x whose connections get the handler of what Vert.x MQTT itself would refuse or drop
        Vertx conforming = MqttPipelines.adding(vertx, () -> new MqttConformance(settings.maxMessageSize(), metrics));
        MqttServer server = MqttServer.create(conforming, options)
                .endpointHandler(endpoint -> new MqttSession(
                                endpoint,
                                vertx.getOrCreateContext(),
                                edge,
                                ingest,
                                pressure,
                                blocking,
                                metrics,
                                sessions,
                                downlink,
                                settings.maxMessageSize())
                        .start())
                .exceptionHandler(e -> log.debug("MQTT connection error: {}", e.toString()));
        server.listen().await();
        log.info("MQTT listening on {}:{}{}", options.getHost(), server.actualPort(), options.isSsl() ? " (TLS)" : "");
        return server;
    }

    /** The plain listener's port (the configured one, or the one picked for port 0). */
    int port() {
        return servers.getFirst().actualPort();
    }

    /** The TLS listener's port, or -1. */
    int tlsPort() {
        return servers.size() > 1 ? servers.get(1).actualPort() : -1;
    }

    /** Stops taking connections, lets open sessions finish what they admitted, then closes them. */
    @Override
    public void stop() {
        running = false;
        for (MqttServer server : servers) {
            server.close().await();
        }
        sessions.forEach(MqttSession::drainAndClose);
        servers.clear();
        blocking.shutdown();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
