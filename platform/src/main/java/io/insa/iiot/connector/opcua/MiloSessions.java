package io.insa.iiot.connector.opcua;

import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.device.Devices;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.tenancy.Tenant;
import io.insa.iiot.tenancy.Tenants;
import java.security.Security;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    private volatile boolean running;

    MiloSessions(
            OpcUaConnectorRepository connectors,
            Tenants tenants,
            TenantTransactions transactions,
            ClientCertificates certificates,
            ConnectorAddresses addresses,
            Devices devices,
            Ingest ingest,
            CommandChannels channels,
            Commands commands,
            @Value("${insa.opcua.auto-accept-server-certificates:false}") boolean autoAccept) {
        this.connectors = connectors;
        this.tenants = tenants;
        this.transactions = transactions;
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider()); // Aes256_Sha256_RsaPss needs it
        }
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

    @Override
    public void apply(OpcUaConnector connector) {
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
    public void remove(UUID connector) {
        ConnectorSession old = sessions.remove(connector);
        if (old != null) {
            old.stop();
        }
    }

    @Override
    public Status status(UUID connector) {
        ConnectorSession session = sessions.get(connector);
        return session == null ? new Status("disconnected", null, null, null, 0, 0, List.of()) : session.status();
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
    public List<BrowsedNode> browse(UUID connector, String nodeId) {
        ConnectorSession session = sessions.get(connector);
        if (session == null) {
            throw ProblemException.conflict("the connector has no session on this node");
        }
        return session.browse(nodeId);
    }

    /** Starts the sessions of every tenant's connectors. */
    @Override
    public void start() {
        running = true;
        for (Tenant tenant : tenants.all()) {
            try {
                transactions.inTenant(tenant.tenantId(), connectors::all).forEach(this::apply);
            } catch (RuntimeException e) {
                log.warn("OPC UA connectors of tenant {} not started: {}", tenant.id(), e.toString());
            }
        }
    }

    @Override
    public void stop() {
        running = false;
        sessions.values().forEach(ConnectorSession::stop);
        sessions.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
