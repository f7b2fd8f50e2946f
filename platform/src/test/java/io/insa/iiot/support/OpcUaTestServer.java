package io.insa.iiot.support;

import static org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig.USER_TOKEN_POLICY_ANONYMOUS;
import static org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig.USER_TOKEN_POLICY_USERNAME;

import java.io.IOException;
import java.net.ServerSocket;
import java.security.KeyPair;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.eclipse.milo.opcua.sdk.core.AccessLevel;
import org.eclipse.milo.opcua.sdk.core.Reference;
import org.eclipse.milo.opcua.sdk.server.EndpointConfig;
import org.eclipse.milo.opcua.sdk.server.ManagedNamespaceWithLifecycle;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig;
import org.eclipse.milo.opcua.sdk.server.identity.AnonymousIdentityValidator;
import org.eclipse.milo.opcua.sdk.server.identity.CompositeValidator;
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
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.structured.BuildInfo;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransport;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransportConfig;

/**
 * An OPC UA server (Eclipse Milo) inside a test: endpoints None and Basic256Sha256 SignAndEncrypt at
 * opc.tcp://127.0.0.1:PORT/milo, anonymous and username ({@value #USERNAME} / {@value #PASSWORD})
 * logins, any client certificate accepted. Under Objects/Line1: {@code Temperature0..N} (Double, a
 * sine), {@code Running0..N} (Boolean), {@code Status0..N} (String), {@code Ramp} (+0.1 every 100 ms)
 * and {@code Setpoint} (Double, written by clients). Source timestamps lie {@link #SOURCE_LAG} behind
 * the server's clock, so a test can tell them from arrival times. The port is a real free one (Milo
 * advertises it in its endpoint URLs); restarting with the same key pair keeps the certificate.
 */
public final class OpcUaTestServer implements AutoCloseable {

    public static final String USERNAME = "operator";
    public static final String PASSWORD = "secret-password";
    public static final Duration SOURCE_LAG = Duration.ofHours(1);
    private static final String NAMESPACE_URI = "urn:insa:test:line";

    static {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
    }

    private final int port;
    private final KeyPair keyPair;
    private final X509Certificate certificate;
    private final OpcUaServer server;
    private final Line line;

    private OpcUaTestServer(int port, KeyPair keyPair, X509Certificate certificate, int variables) throws Exception {
        this.port = port;
        this.keyPair = keyPair;
        this.certificate = certificate;
        X509Certificate[] chain = {certificate};
        RsaSha256CertificateFactory certificates = new RsaSha256CertificateFactory() {
            @Override
            protected KeyPair createRsaSha256KeyPair() {
                return keyPair;
            }

            @Override
            protected X509Certificate[] createRsaSha256CertificateChain(KeyPair kp) {
                return chain;
            }
        };
        MemoryTrustListManager trust = new MemoryTrustListManager();
        DefaultApplicationGroup group = DefaultApplicationGroup.createAndInitialize(
                trust,
                new MemoryCertificateStore(),
                certificates,
                new CertificateValidator.InsecureCertificateValidator());
        EndpointConfig.Builder base = EndpointConfig.newBuilder()
                .setTransportProfile(TransportProfile.TCP_UASC_UABINARY)
                .setBindAddress("127.0.0.1")
                .setHostname("127.0.0.1")
                .setBindPort(port)
                .setPath("/milo")
                .setCertificate(certificate)
                .addTokenPolicies(USER_TOKEN_POLICY_ANONYMOUS, USER_TOKEN_POLICY_USERNAME);
        Set<EndpointConfig> endpoints = new LinkedHashSet<>();
        endpoints.add(base.copy()
                .setSecurityPolicy(SecurityPolicy.None)
                .setSecurityMode(MessageSecurityMode.None)
                .build());
        endpoints.add(base.copy()
                .setSecurityPolicy(SecurityPolicy.Basic256Sha256)
                .setSecurityMode(MessageSecurityMode.SignAndEncrypt)
                .build());
        OpcUaServerConfig config = OpcUaServerConfig.builder()
                .setApplicationUri("urn:insa:test:opcua-server")
                .setApplicationName(LocalizedText.english("INSA test server"))
                .setProductUri("urn:insa:test")
                .setBuildInfo(new BuildInfo(
                        "urn:insa:test", "insa", "INSA test server", OpcUaServer.SDK_VERSION, "", DateTime.now()))
                .setEndpoints(endpoints)
                .setCertificateManager(new DefaultCertificateManager(new MemoryCertificateQuarantine(), group))
                .setIdentityValidator(new CompositeValidator(
                        AnonymousIdentityValidator.INSTANCE,
                        new UsernameIdentityValidator(
                                c -> USERNAME.equals(c.getUsername()) && PASSWORD.equals(c.getPassword()))))
                .build();
        this.server = new OpcUaServer(
                config,
                profile -> new OpcTcpServerTransport(
                        OpcTcpServerTransportConfig.newBuilder().build()));
        this.line = new Line(server, variables);
    }

    /** A server with {@code variables} variables of each kind on a free port, started. */
    public static OpcUaTestServer start(int variables) throws Exception {
        KeyPair keyPair = SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
        X509Certificate certificate = new SelfSignedCertificateBuilder(keyPair)
                .setCommonName("INSA test server")
                .setApplicationUri("urn:insa:test:opcua-server")
                .addIpAddress("127.0.0.1")
                .addDnsName("localhost")
                .build();
        return new OpcUaTestServer(freePort(), keyPair, certificate, variables).startup();
    }

    /** The same server (port, certificate, variables) started again after {@link #close()}. */
    public OpcUaTestServer restart() throws Exception {
        return new OpcUaTestServer(port, keyPair, certificate, line.count).startup();
    }

    private OpcUaTestServer startup() throws Exception {
        line.startup();
        server.startup().get();
        return this;
    }

    @Override
    public void close() throws Exception {
        line.shutdown();
        server.shutdown().get();
    }

    public String endpointUrl() {
        return "opc.tcp://127.0.0.1:" + port + "/milo";
    }

    /** The node id of a variable under Line1, e.g. {@code ns=2;s=Line1.Temperature0}. */
    public String nodeId(String name) {
        return "ns=" + line.getNamespaceIndex() + ";s=Line1." + name;
    }

    public Object value(String name) {
        return line.variables.get(name).getValue().getValue().getValue();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The namespace of the Line1 folder and its variables, changing every 100 ms. */
    private static final class Line extends ManagedNamespaceWithLifecycle {
        final int count;
        final Map<String, UaVariableNode> variables = new ConcurrentHashMap<>();
        private final SubscriptionModel subscriptions;
        private ScheduledExecutorService ticker;
        private long tick;

        Line(OpcUaServer server, int count) {
            super(server, NAMESPACE_URI);
            this.count = count;
            subscriptions = new SubscriptionModel(server, this);
            getLifecycleManager().addLifecycle(subscriptions);
            getLifecycleManager().addStartupTask(this::createNodes);
            getLifecycleManager().addStartupTask(() -> {
                ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "opcua-test-ticker"));
                ticker.scheduleAtFixedRate(this::tick, 100, 100, TimeUnit.MILLISECONDS);
            });
            getLifecycleManager().addShutdownTask(() -> ticker.shutdownNow());
        }

        private void createNodes() {
            UaFolderNode folder = new UaFolderNode(
                    getNodeContext(), newNodeId("Line1"), newQualifiedName("Line1"), LocalizedText.english("Line1"));
            getNodeManager().addNode(folder);
            folder.addReference(
                    new Reference(folder.getNodeId(), NodeIds.Organizes, NodeIds.ObjectsFolder.expanded(), false));
            for (int i = 0; i < count; i++) {
                add(folder, "Temperature" + i, NodeIds.Double, Variant.ofDouble(20.0));
                add(folder, "Running" + i, NodeIds.Boolean, Variant.ofBoolean(false));
                add(folder, "Status" + i, NodeIds.String, Variant.ofString("init"));
            }
            add(folder, "Ramp", NodeIds.Double, Variant.ofDouble(0.0));
            add(folder, "Setpoint", NodeIds.Double, Variant.ofDouble(10.0));
        }

        private void add(UaFolderNode folder, String name, NodeId dataType, Variant initial) {
            UaVariableNode node = new UaVariableNode.UaVariableNodeBuilder(getNodeContext())
                    .setNodeId(newNodeId("Line1." + name))
                    .setBrowseName(newQualifiedName(name))
                    .setDisplayName(LocalizedText.english(name))
                    .setDataType(dataType)
                    .setTypeDefinition(NodeIds.BaseDataVariableType)
                    .setAccessLevel(AccessLevel.READ_WRITE)
                    .setUserAccessLevel(AccessLevel.READ_WRITE)
                    .setMinimumSamplingInterval(100.0)
                    .build();
            node.setValue(new DataValue(initial, StatusCode.GOOD, lagging()));
            getNodeManager().addNode(node);
            folder.addOrganizes(node);
            variables.put(name, node);
        }

        private static DateTime lagging() {
            return new DateTime(java.time.Instant.now().minus(SOURCE_LAG));
        }

        private void tick() {
            long n = ++tick;
            DateTime source = lagging();
            DateTime server = DateTime.now();
            variables.forEach((name, node) -> {
                Variant next;
                if (name.equals("Setpoint")) {
                    return; // written by clients only
                } else if (name.equals("Ramp")) {
                    next = Variant.ofDouble(n / 10.0);
                } else if (name.startsWith("Temperature")) {
                    next = Variant.ofDouble(20 + 5 * Math.sin(n / 10.0 + name.hashCode()));
                } else if (name.startsWith("Running")) {
                    next = Variant.ofBoolean(n % 20 < 10);
                } else {
                    next = Variant.ofString("tick-" + n);
                }
                node.setValue(new DataValue(next, StatusCode.GOOD, source, server));
            });
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
