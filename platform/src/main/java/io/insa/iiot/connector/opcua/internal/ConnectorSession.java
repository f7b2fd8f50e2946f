package io.insa.iiot.connector.opcua.internal;

import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.connector.opcua.ClientCertificates;
import io.insa.iiot.connector.opcua.ConnectorAddresses;
import io.insa.iiot.connector.opcua.OpcUaConnector;
import io.insa.iiot.connector.opcua.OpcUaSessions;
import io.insa.iiot.device.Gateways;
import io.insa.iiot.ingest.Ingest;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.SessionActivityListener;
import org.eclipse.milo.opcua.sdk.client.UaSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connector's session with its OPC UA server: connects (on a virtual thread; Milo's own I/O is asynchronous, so
 * no thread is held per connection), on any loss reconnects with exponential backoff (1 s doubling to 60 s, with
 * jitter), and shows its state. The server is reached through {@link ServerEndpoint}; values come in through
 * {@link ConnectorSubscription} and go on through {@link TelemetryFeed} to the {@link MappedDevices}; writes go out
 * through {@link NodeWrites}, browse through {@link NodeBrowser}.
 *
 * <p>Every attempt judges the endpoint's address again and connects to exactly the judged address, whatever host the
 * server advertises in its endpoints. A failure is shown as a category only ({@link Failures}); its details go to the
 * operator's log, never to the tenant.
 */
final class ConnectorSession {

    private static final Logger log = LoggerFactory.getLogger(ConnectorSession.class);
    private static final long MAX_BACKOFF_MILLIS = 60_000;

    /** The parts every session shares. */
    record Context(
            ClientCertificates certificates,
            ConnectorAddresses addresses,
            Gateways devices,
            Ingest ingest,
            CommandChannels channels,
            Commands commands,
            ScheduledExecutorService scheduler,
            ExecutorService work,
            boolean autoAcceptCertificates) {}

    private final Context context;
    private final OpcUaConnector connector;
    private final ServerEndpoint endpoint;
    private final MappedDevices devices;
    private final TelemetryFeed feed;
    private final ConnectorSubscription subscription;
    private volatile String state = "connecting";
    private volatile String lastError;
    private volatile Instant connectedSince;
    private volatile OpcUaClient client;
    private volatile boolean closed;
    private int attempt;
    private ScheduledFuture<?> retry;

    ConnectorSession(Context context, OpcUaConnector connector) {
        this.context = context;
        this.connector = connector;
        this.endpoint = new ServerEndpoint(connector, context.addresses(), context.autoAcceptCertificates());
        NodeWrites writes = new NodeWrites(connector, () -> client, context.work(), context.commands());
        this.devices = new MappedDevices(connector, context.devices(), context.channels(), writes);
        this.feed = new TelemetryFeed(
                context.ingest(), context.scheduler(), context.work(), devices, problem -> lastError = problem);
        this.subscription = new ConnectorSubscription(connector, feed, problem -> lastError = problem);
    }

    OpcUaConnector connector() {
        return connector;
    }

    synchronized void start() {
        if (!connector.enabled()) {
            state = "disabled";
            return;
        }
        feed.start();
        context.work().submit(this::connect);
    }

    synchronized void stop() {
        closed = true;
        if (retry != null) {
            retry.cancel(false);
        }
        feed.stop();
        devices.close();
        disconnect();
        state = connector.enabled() ? "disconnected" : "disabled";
    }

    OpcUaSessions.Status status() {
        return new OpcUaSessions.Status(
                state,
                lastError,
                connectedSince,
                feed.lastValueAt(),
                Math.round(feed.valuesPerSecond() * 10) / 10.0,
                "connected".equals(state) ? subscription.publishingIntervalMs() : null,
                subscription.monitoredItems(),
                subscription.badItems());
    }

    Optional<OpcUaSessions.Certificate> seenCertificate() {
        return endpoint.seenCertificate();
    }

    OpcUaSessions.Browsed browse(String nodeId) {
        OpcUaClient connected = client;
        if (connected == null) {
            return new OpcUaSessions.Browsed.Unavailable("the connector is not connected (" + state + ")");
        }
        return NodeBrowser.browse(connected, nodeId);
    }

    private void connect() {
        if (closed) {
            return;
        }
        state = "connecting";
        OpcUaClient created = null;
        try {
            ClientCertificates.Issued certificate = context.certificates().of(connector.tenant());
            created = OpcUaClient.create(endpoint.configure(certificate));
            created.connect();
            OpcUaClient connected = created;
            created.addSessionActivityListener(new SessionActivityListener() {
                @Override
                public void onSessionInactive(UaSession session) {
                    if (client == connected) {
                        lost(Failures.REFUSED, "the session with the server was lost");
                    }
                }
            });
            client = created;
            subscription.create(created);
            synchronized (this) {
                attempt = 0;
            }
            connectedSince = Instant.now();
            lastError = null;
            state = "connected";
            log.info("OPC UA connector {} connected to {}", connector.id(), connector.endpointUrl());
        } catch (Failures.Failure e) {
            lost(e.category, e.getMessage());
        } catch (Exception e) {
            if (created != null) {
                OpcUaClient failed = created;
                context.work().submit(() -> quietly(failed));
            }
            lost(Failures.category(e), Failures.reason(e));
        }
    }

    /**
     * Closes this client and tries again after the backoff; the tenant sees the category, the operator's log the
     * detail.
     */
    private void lost(String category, String detail) {
        if (closed) {
            return;
        }
        lastError = category;
        state = connectedSince != null && client != null ? "disconnected" : "error";
        connectedSince = null;
        OpcUaClient old = client;
        client = null;
        if (old != null) {
            context.work().submit(() -> quietly(old));
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            long base = Math.min(MAX_BACKOFF_MILLIS, 1000L << Math.min(attempt, 6));
            long delay = (long) (base * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
            attempt++;
            if (retry != null) {
                retry.cancel(false);
            }
            retry = context.scheduler()
                    .schedule(() -> context.work().submit(this::connect), delay, TimeUnit.MILLISECONDS);
            log.info("OPC UA connector {}: {} ({}); next try in {} ms", connector.id(), category, detail, delay);
        }
    }

    private void disconnect() {
        OpcUaClient old = client;
        client = null;
        if (old != null) {
            quietly(old);
        }
    }

    private static void quietly(OpcUaClient client) {
        try {
            client.disconnect();
        } catch (Exception e) {
            // already gone
        }
    }
}
