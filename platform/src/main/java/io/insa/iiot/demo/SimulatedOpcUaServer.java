package io.insa.iiot.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.milo.opcua.sdk.core.AccessLevel;
import org.eclipse.milo.opcua.sdk.core.Reference;
import org.eclipse.milo.opcua.sdk.server.EndpointConfig;
import org.eclipse.milo.opcua.sdk.server.ManagedNamespaceWithLifecycle;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig;
import org.eclipse.milo.opcua.sdk.server.identity.AnonymousIdentityValidator;
import org.eclipse.milo.opcua.sdk.server.identity.CompositeValidator;
import org.eclipse.milo.opcua.sdk.server.identity.IdentityValidator;
import org.eclipse.milo.opcua.sdk.server.identity.UsernameIdentityValidator;
import org.eclipse.milo.opcua.sdk.server.items.DataItem;
import org.eclipse.milo.opcua.sdk.server.items.MonitoredItem;
import org.eclipse.milo.opcua.sdk.server.nodes.UaFolderNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaVariableNode;
import org.eclipse.milo.opcua.sdk.server.util.SubscriptionModel;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.security.CertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.DefaultApplicationGroup;
import org.eclipse.milo.opcua.stack.core.security.DefaultCertificateManager;
import org.eclipse.milo.opcua.stack.core.security.MemoryCertificateQuarantine;
import org.eclipse.milo.opcua.stack.core.security.MemoryCertificateStore;
import org.eclipse.milo.opcua.stack.core.security.MemoryTrustListManager;
import org.eclipse.milo.opcua.stack.core.security.RsaSha256CertificateFactory;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.transport.TransportProfile;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.structured.BuildInfo;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransport;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransportConfig;

/**
 * An OPC UA server (Eclipse Milo) on loopback whose one namespace simulates machines: the demo's
 * packaging line, and the server the OPC UA connector's tests run against. Endpoint
 * {@code opc.tcp://127.0.0.1:PORT/PATH} with security None and, when {@link Setup#secured()}, also
 * Basic256Sha256 SignAndEncrypt; anonymous logins and, with a {@link Setup#username()}, that user's.
 * Any client certificate is accepted: the server never leaves the machine.
 *
 * @param <N> the namespace, for its owner to reach the variables
 */
public final class SimulatedOpcUaServer<N extends SimulatedOpcUaServer.Namespace> implements AutoCloseable {

    /**
     * What the server is: its name and application URI (also in its certificate), where it listens
     * (port 0: a free one, which Milo then names in its endpoints), the host its endpoints advertise
     * (127.0.0.1, where it listens, unless a test wants a server that points elsewhere), and who may
     * log in.
     */
    public record Setup(
            String name,
            String applicationUri,
            int port,
            String path,
            boolean secured,
            String username,
            String password,
            KeyPair keyPair,
            X509Certificate certificate,
            String advertisedHost) {

        /** Anonymous, security None, on a free port, with a new self-signed certificate. */
        public static Setup plain(String name, String applicationUri, String path) throws Exception {
            KeyPair keyPair = SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
            return new Setup(
                    name,
                    applicationUri,
                    0,
                    path,
                    false,
                    null,
                    null,
                    keyPair,
                    certificate(name, applicationUri, keyPair),
                    "127.0.0.1");
        }

        public Setup withSecurity(String username, String password) {
            return new Setup(
                    name, applicationUri, port, path, true, username, password, keyPair, certificate, advertisedHost);
        }

        public Setup withPort(int port) {
            return new Setup(
                    name,
                    applicationUri,
                    port,
                    path,
                    secured,
                    username,
                    password,
                    keyPair,
                    certificate,
                    advertisedHost);
        }

        public Setup withAdvertisedHost(String host) {
            return new Setup(name, applicationUri, port, path, secured, username, password, keyPair, certificate, host);
        }

        private static X509Certificate certificate(String name, String uri, KeyPair keyPair) throws Exception {
            return new SelfSignedCertificateBuilder(keyPair)
                    .setCommonName(name)
                    .setApplicationUri(uri)
                    .addIpAddress("127.0.0.1")
                    .addDnsName("localhost")
                    .build();
        }
    }

    private final Setup setup;
    private final OpcUaServer server;
    private final N namespace;
    private final Set<X509Certificate> clientCertificates;
    private final Queue<String> usernameLogins;

    private SimulatedOpcUaServer(
            Setup setup,
            OpcUaServer server,
            N namespace,
            Set<X509Certificate> clientCertificates,
            Queue<String> usernameLogins) {
        this.setup = setup;
        this.server = server;
        this.namespace = namespace;
        this.clientCertificates = clientCertificates;
        this.usernameLogins = usernameLogins;
    }

    /** Starts the server with the namespace that {@code namespace} creates on it. */
    public static <N extends Namespace> SimulatedOpcUaServer<N> start(Setup setup, Function<OpcUaServer, N> namespace)
            throws Exception {
        Setup bound = setup.port() == 0 ? setup.withPort(freeLoopbackPort()) : setup;
        Set<X509Certificate> clients = ConcurrentHashMap.newKeySet();
        Queue<String> logins = new ConcurrentLinkedQueue<>();
        OpcUaServer server = new OpcUaServer(
                config(bound, clients, logins),
                profile -> new OpcTcpServerTransport(
                        OpcTcpServerTransportConfig.newBuilder().build()));
        N created = namespace.apply(server);
        created.startup();
        server.startup().get();
        return new SimulatedOpcUaServer<>(bound, server, created, clients, logins);
    }

    public Setup setup() {
        return setup;
    }

    public N namespace() {
        return namespace;
    }

    /** The application certificates clients presented on secured channels, in no order. */
    public Set<X509Certificate> clientCertificates() {
        return Set.copyOf(clientCertificates);
    }

    /** The usernames of the username logins clients sent, right or wrong, in order. */
    public List<String> usernameLogins() {
        return List.copyOf(usernameLogins);
    }

    public String endpointUrl() {
        return "opc.tcp://127.0.0.1:" + setup.port() + setup.path();
    }

    /** The node id of a string-named node of the namespace, e.g. {@code ns=2;s=Line1.Ramp}. */
    public String nodeId(String name) {
        return "ns=" + namespace.getNamespaceIndex() + ";s=" + name;
    }

    @Override
    public void close() throws Exception {
        namespace.shutdown();
        server.shutdown().get();
    }

    private static OpcUaServerConfig config(Setup setup, Set<X509Certificate> clients, Queue<String> logins)
            throws Exception {
        X509Certificate[] chain = {setup.certificate()};
        var certificates = new RsaSha256CertificateFactory() {
            @Override
            protected KeyPair createRsaSha256KeyPair() {
                return setup.keyPair();
            }

            @Override
            protected X509Certificate[] createRsaSha256CertificateChain(KeyPair keyPair) {
                return chain;
            }
        };
        var group = DefaultApplicationGroup.createAndInitialize(
                new MemoryTrustListManager(), new MemoryCertificateStore(), certificates, (CertificateValidator)
                        (presented, applicationUri, hostnames) -> {
                            if (!presented.isEmpty()) {
                                clients.add(presented.getFirst()); // any is accepted, each is kept for a look
                            }
                        });
        EndpointConfig.Builder base = EndpointConfig.newBuilder()
                .setTransportProfile(TransportProfile.TCP_UASC_UABINARY)
                .setBindAddress("127.0.0.1")
                .setHostname(setup.advertisedHost())
                .setBindPort(setup.port())
                .setPath(setup.path())
                .setCertificate(setup.certificate())
                .addTokenPolicies(OpcUaServerConfig.USER_TOKEN_POLICY_ANONYMOUS);
        IdentityValidator identities = AnonymousIdentityValidator.INSTANCE;
        if (setup.username() != null) {
            base.addTokenPolicies(OpcUaServerConfig.USER_TOKEN_POLICY_USERNAME);
            identities =
                    new CompositeValidator(AnonymousIdentityValidator.INSTANCE, new UsernameIdentityValidator(c -> {
                        logins.add(String.valueOf(c.getUsername()));
                        return setup.username().equals(c.getUsername())
                                && setup.password().equals(c.getPassword());
                    }));
        }
        Set<EndpointConfig> endpoints = new LinkedHashSet<>();
        endpoints.add(base.copy()
                .setSecurityPolicy(SecurityPolicy.None)
                .setSecurityMode(MessageSecurityMode.None)
                .build());
        if (setup.secured()) {
            endpoints.add(base.copy()
                    .setSecurityPolicy(SecurityPolicy.Basic256Sha256)
                    .setSecurityMode(MessageSecurityMode.SignAndEncrypt)
                    .build());
        }
        String productUri =
                setup.applicationUri().substring(0, setup.applicationUri().lastIndexOf(':'));
        return OpcUaServerConfig.builder()
                .setApplicationUri(setup.applicationUri())
                .setApplicationName(LocalizedText.english(setup.name()))
                .setProductUri(productUri)
                .setBuildInfo(
                        new BuildInfo(productUri, "insa", setup.name(), OpcUaServer.SDK_VERSION, "", DateTime.now()))
                .setEndpoints(endpoints)
                .setCertificateManager(new DefaultCertificateManager(new MemoryCertificateQuarantine(), group))
                .setIdentityValidator(identities)
                .build();
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * One folder under Objects whose variables a ticker sets at a fixed period. Subclasses add the
     * variables in {@link #createNodes} and set their values in {@link #tick}.
     */
    public abstract static class Namespace extends ManagedNamespaceWithLifecycle {

        private final SubscriptionModel subscriptions;
        private ScheduledExecutorService ticker;

        protected Namespace(OpcUaServer server, String uri, String tickerName, Duration firstTick, Duration period) {
            super(server, uri);
            subscriptions = new SubscriptionModel(server, this);
            getLifecycleManager().addLifecycle(subscriptions);
            getLifecycleManager().addStartupTask(this::createNodes);
            getLifecycleManager().addStartupTask(() -> {
                ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, tickerName));
                ticker.scheduleAtFixedRate(this::tick, firstTick.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
            });
            getLifecycleManager().addShutdownTask(() -> ticker.shutdownNow());
        }

        protected abstract void createNodes();

        protected abstract void tick();

        /** A folder of that name (and node id) under Objects. */
        protected UaFolderNode addFolder(String name) {
            UaFolderNode folder = new UaFolderNode(
                    getNodeContext(), newNodeId(name), newQualifiedName(name), LocalizedText.english(name));
            getNodeManager().addNode(folder);
            folder.addReference(
                    new Reference(folder.getNodeId(), NodeIds.Organizes, NodeIds.ObjectsFolder.expanded(), false));
            return folder;
        }

        /** A variable in {@code folder} with the node id {@code id}, sampled at most every {@code sampling}. */
        protected UaVariableNode addVariable(
                UaFolderNode folder,
                String id,
                String browseName,
                NodeId dataType,
                Set<AccessLevel> access,
                Duration sampling,
                DataValue initial) {
            UaVariableNode node = new UaVariableNode.UaVariableNodeBuilder(getNodeContext())
                    .setNodeId(newNodeId(id))
                    .setBrowseName(newQualifiedName(browseName))
                    .setDisplayName(LocalizedText.english(browseName))
                    .setDataType(dataType)
                    .setTypeDefinition(NodeIds.BaseDataVariableType)
                    .setAccessLevel(access)
                    .setUserAccessLevel(access)
                    .setMinimumSamplingInterval((double) sampling.toMillis())
                    .build();
            node.setValue(initial);
            getNodeManager().addNode(node);
            folder.addOrganizes(node);
            return node;
        }

        @Override
        public void onDataItemsCreated(List<DataItem> items) {
            subscriptions.onDataItemsCreated(items);
        }

        @Override
        public void onDataItemsModified(List<DataItem> items) {
            subscriptions.onDataItemsModified(items);
        }

        @Override
        public void onDataItemsDeleted(List<DataItem> items) {
            subscriptions.onDataItemsDeleted(items);
        }

        @Override
        public void onMonitoringModeChanged(List<MonitoredItem> items) {
            subscriptions.onMonitoringModeChanged(items);
        }
    }
}
