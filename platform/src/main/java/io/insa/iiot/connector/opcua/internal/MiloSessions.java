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
import io.insa.iiot.shared.CacheEvictions;
import io.insa.iiot.shared.DedicatedConnections;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
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
import tools.jackson.databind.json.JsonMapper;

/**
 * The sessions of the connectors this node runs, kept in step with the API: a change restarts the
 * connector's session, a deletion closes it. Of several nodes exactly one runs a connector: the one
 * holding its lock ({@link ConnectorLocks}); every {@code insa.opcua.ownership-check} each node takes
 * the connectors nobody runs, so a dead node's are taken over within that time (its locks go with its
 * database connection). One scheduler thread times reconnects and flushes; connecting and flushing
 * run on virtual threads; Milo's I/O is asynchronous.
 */
@Component
class MiloSessions implements OpcUaSessions, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MiloSessions.class);

    /** A session's status and the server certificate it was shown, as the other nodes' API reads them. */
    private record Snapshot(Status status, Certificate certificate) {}

    /** Names the connectors in {@link CacheEvictions}: a change there reloads the connector on every node. */
    private static final String CONNECTORS = "opcua-connectors";

    private final OpcUaConnectorRepository connectors;
    private final TenantTransactions transactions;
    private final ConnectorSession.Context context;
    private final ConnectorLocks locks;
    private final CacheEvictions evictions;
    private final Duration ownershipCheck;
    private final JsonMapper json;
    private final Map<UUID, ConnectorSession> sessions = new ConcurrentHashMap<>();
    /** Connectors changed through this node's API, not yet reloaded: this node may take them at once. */
    private final Set<UUID> changedHere = ConcurrentHashMap.newKeySet();

    private volatile boolean running;
    private volatile Thread owner;

    MiloSessions(
            OpcUaConnectorRepository connectors,
            TenantTransactions transactions,
            DedicatedConnections connections,
            CacheEvictions evictions,
            @Value("${insa.opcua.ownership-check}") Duration ownershipCheck,
            ClientCertificates certificates,
            ConnectorAddresses addresses,
            Gateways devices,
            Ingest ingest,
            CommandChannels channels,
            Commands commands,
            @Value("${insa.opcua.auto-accept-server-certificates:false}") boolean autoAccept,
            JsonMapper json) {
        this.connectors = connectors;
        this.transactions = transactions;
        this.locks = new ConnectorLocks(connections);
        this.evictions = evictions;
        this.ownershipCheck = ownershipCheck;
        this.json = json;
        evictions.register(CONNECTORS, this::reload, () -> {});
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

    @Override
    public void changed(TenantId tenant, UUID connector) {
        // before the commit: no other node can know a new connector yet, so it runs where it was made
        locks.take(connector);
        changedHere.add(connector);
        evictions.evict(CONNECTORS, tenant.value() + ":" + connector);
    }

    /**
     * {@code <tenant>:<connector>} changed, on this node or another: the node that runs it restarts or
     * stops it, and the node it was changed through takes it if nobody runs it; the other nodes leave
     * it to their next ownership check, so that a new connector runs where it was made.
     */
    private void reload(String key) {
        String[] ids = key.split(":", 2);
        TenantId tenant = TenantId.of(UUID.fromString(ids[0]));
        UUID id = UUID.fromString(ids[1]);
        boolean here = changedHere.remove(id);
        if (running && (here || sessions.containsKey(id))) {
            reload(tenant, id);
        }
    }

    private void reload(TenantId tenant, UUID id) {
        Optional<OpcUaConnector> stored;
        try {
            stored = transactions.inTenant(tenant, () -> connectors.find(id));
        } catch (RuntimeException e) {
            log.warn("OPC UA connector {} not reloaded: {}", id, e.toString());
            return;
        }
        if (stored.isPresent()) {
            apply(stored.get());
        } else {
            remove(id);
        }
    }

    /** Starts or restarts the connector's session when this node holds its lock (or takes it now). */
    private synchronized void apply(OpcUaConnector connector) {
        if (!running || !locks.take(connector.id())) {
            return;
        }
        registerBouncyCastle();
        ConnectorSession fresh = new ConnectorSession(context, connector);
        ConnectorSession old = sessions.put(connector.id(), fresh);
        if (old != null) {
            old.stop();
        }
        fresh.start();
    }

    private synchronized void remove(UUID connector) {
        ConnectorSession old = sessions.remove(connector);
        if (old != null) {
            old.stop();
        }
        locks.release(connector);
    }

    @Override
    public Status status(TenantId tenant, UUID connector) {
        ConnectorSession session = sessions.get(connector);
        if (session != null) {
            return session.status();
        }
        return ranElsewhere(tenant, connector)
                .map(Snapshot::status)
                .orElse(new Status("disconnected", null, null, null, 0, null, 0, List.of()));
    }

    @Override
    public Optional<Certificate> serverCertificate(TenantId tenant, UUID connector) {
        ConnectorSession session = sessions.get(connector);
        return session != null
                ? certificate(session)
                : ranElsewhere(tenant, connector).map(Snapshot::certificate);
    }

    /**
     * The snapshot the node that runs the connector wrote within the last three ownership checks: a node
     * that died stops writing it, and the connector counts as disconnected until another takes it.
     */
    private Optional<Snapshot> ranElsewhere(TenantId tenant, UUID connector) {
        return transactions
                .inTenant(tenant, () -> connectors.sessionSnapshot(connector, ownershipCheck.multipliedBy(3)))
                .map(text -> json.readValue(text, Snapshot.class));
    }

    /** At each ownership check, what the other nodes' API shows of the sessions this node runs. */
    private void writeSnapshots() {
        for (ConnectorSession session : sessions.values()) {
            OpcUaConnector connector = session.connector();
            String snapshot = json.writeValueAsString(
                    new Snapshot(session.status(), certificate(session).orElse(null)));
            transactions.inTenant(connector.tenant(), () -> connectors.saveSessionSnapshot(connector.id(), snapshot));
        }
    }

    private static Optional<Certificate> certificate(ConnectorSession session) {
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
     * Takes and starts the connectors nobody runs, at once and then every {@code ownershipCheck}, on a
     * thread of its own: the platform does not wait for it to serve (sessions connect asynchronously
     * anyway).
     */
    @Override
    public void start() {
        running = true;
        owner = Thread.ofVirtual().name("opcua-sessions-owner").start(this::own);
    }

    private void own() {
        while (running) {
            try {
                takeOver();
                writeSnapshots();
            } catch (RuntimeException e) {
                log.warn("OPC UA connectors not checked: {}", e.toString());
            }
            try {
                Thread.sleep(ownershipCheck);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One round: gives up everything when the locks are gone, then takes what nobody runs. */
    private void takeOver() {
        if (!locks.stillHeld()) {
            stopAll();
        }
        // only what ran before the reading can have been deleted unseen: one made meanwhile is not in it
        List<UUID> runningBefore = List.copyOf(sessions.keySet());
        Map<UUID, TenantId> stored = transactions.global(connectors::everyTenantsConnectors);
        for (Map.Entry<UUID, TenantId> connector : stored.entrySet()) {
            if (!running) {
                return;
            }
            // the lock first: a connector another node runs is not read at all
            if (!sessions.containsKey(connector.getKey()) && locks.take(connector.getKey())) {
                reload(connector.getValue(), connector.getKey());
            }
        }
        for (UUID ran : runningBefore) {
            if (!stored.containsKey(ran)) { // deleted while this node did not hear of it
                remove(ran);
            }
        }
    }

    private synchronized void stopAll() {
        sessions.values().forEach(ConnectorSession::stop);
        sessions.clear();
    }

    @Override
    public void stop() {
        running = false;
        Thread checking = owner;
        if (checking != null) {
            checking.interrupt();
            try {
                checking.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopAll();
        locks.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
