package io.insa.iiot.connector.opcua.internal;

import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.connector.opcua.ClientCertificates;
import io.insa.iiot.connector.opcua.ConnectorAddresses;
import io.insa.iiot.connector.opcua.OpcUaConnector;
import io.insa.iiot.connector.opcua.OpcUaConnectorRepository;
import io.insa.iiot.connector.opcua.OpcUaSessions;
import io.insa.iiot.device.Gateways;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.tenancy.Tenant;
import io.insa.iiot.tenancy.Tenants;
import java.security.Security;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The sessions of every enabled connector on this node, kept in step with the API: a change restarts
 * the connector's session, a deletion closes it. One scheduler thread times reconnects and flushes;
 * connecting and flushing run on virtual threads; Milo's I/O is asynchronous.
 */
@Component
class MiloSessions implements OpcUaSessions, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MiloSessions.class);

    private final OpcUaConnectorRepository connectors;
    private final Tenants tenants;
    private final TenantTransactions transactions;
    private final ConnectorSession.Context context;
    private final Map<UUID, ConnectorSession> sessions = new ConcurrentHashMap<>();
    /** Connectors the API applied or removed since start: the start's own reading does not undo that. */
    private final Set<UUID> touched = ConcurrentHashMap.newKeySet();

    private volatile boolean running;
    private volatile Thread loader;

    MiloSessions(
            OpcUaConnectorRepository connectors,
            Tenants tenants,
            TenantTransactions transactions,
            ClientCertificates certificates,
            ConnectorAddresses addresses,
            Gateways devices,
            Ingest ingest,
            CommandChannels channels,
            Commands commands,
            @Value("${insa.opcua.auto-accept-server-certificates:false}") boolean autoAccept) {
        this.connectors = connectors;
        this.tenants = tenants;
        this.transactions = transactions;
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("opcua-scheduler").daemon(true).factory());
        this.context = new ConnectorSession.Context(
                certificates,
                addresses,
                devices,
                ingest,
                channels,
                commands,
                scheduler,
                Executors.newVirtualThreadPerTaskExecutor(),
                autoAccept);
        if (autoAccept) {
            log.warn("insa.opcua.auto-accept-server-certificates=true: OPC UA server certificates are accepted"
                    + " without being trusted; for development only");
        }
    }

    /**
     * Registered with the first session rather than at start, where it took half a second: the security
     * policy Aes256_Sha256_RsaPss needs it.
     */
    private static synchronized void registerBouncyCastle() {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
    }

    /** Synchronized with {@link #remove} and the start's reading, so that the last word on a connector wins. */
    @Override
    public synchronized void apply(OpcUaConnector connector) {
        touched.add(connector.id());
        registerBouncyCastle();
        ConnectorSession fresh = new ConnectorSession(context, connector);
        ConnectorSession old = sessions.put(connector.id(), fresh);
        if (old != null) {
            old.stop();
        }
        if (running) {
            fresh.start();
        }
    }

    @Override
    public synchronized void remove(UUID connector) {
        touched.add(connector);
        ConnectorSession old = sessions.remove(connector);
        if (old != null) {
            old.stop();
        }
    }

    @Override
    public Status status(UUID connector) {
        ConnectorSession session = sessions.get(connector);
        return session == null ? new Status("disconnected", null, null, null, 0, null, 0, List.of()) : session.status();
    }

    @Override
    public Optional<Certificate> serverCertificate(UUID connector) {
        ConnectorSession session = sessions.get(connector);
        if (session == null) {
            return Optional.empty();
        }
        String trusted = session.connector().trustedThumbprint();
        return session.seenCertificate()
                .map(c -> new Certificate(
                        c.thumbprint(),
                        c.subject(),
                        c.notAfter(),
                        c.pem(),
                        c.thumbprint().equalsIgnoreCase(String.valueOf(trusted))));
    }

    @Override
    public Browsed browse(UUID connector, String nodeId) {
        ConnectorSession session = sessions.get(connector);
        if (session == null) {
            return new Browsed.Unavailable("the connector has no session on this node");
        }
        return session.browse(nodeId);
    }

    /**
     * Starts the sessions of every tenant's connectors, on a thread of its own: reading them costs a
     * transaction per tenant, which the platform does not wait for to serve (sessions connect
     * asynchronously anyway). A connector the API changed or deleted meanwhile keeps what the API did.
     */
    @Override
    public void start() {
        running = true;
        touched.clear();
        loader = Thread.ofVirtual().name("opcua-sessions-start").start(this::startAll);
    }

    private void startAll() {
        List<Tenant> all;
        try {
            all = tenants.all();
        } catch (RuntimeException e) {
            log.warn("OPC UA connectors not started: {}", e.toString());
            return;
        }
        for (Tenant tenant : all) {
            if (!running) {
                return;
            }
            try {
                transactions.inTenant(tenant.tenantId(), connectors::all).stream()
                        .filter(c -> !touched.contains(c.id()))
                        .forEach(this::applyStored);
            } catch (RuntimeException e) {
                log.warn("OPC UA connectors of tenant {} not started: {}", tenant.id(), e.toString());
            }
        }
    }

    /** A connector as stored at start, unless the API got to it first. */
    private synchronized void applyStored(OpcUaConnector connector) {
        if (running && !touched.contains(connector.id())) {
            apply(connector);
        }
    }

    @Override
    public void stop() {
        running = false;
        Thread starting = loader;
        if (starting != null) {
            try {
                starting.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sessions.values().forEach(ConnectorSession::stop);
        sessions.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
