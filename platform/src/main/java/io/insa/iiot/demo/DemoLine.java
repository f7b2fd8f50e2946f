package io.insa.iiot.demo;

import io.insa.iiot.demo.PlantModel.Kind;
import io.insa.iiot.demo.PlantModel.Machine;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.milo.opcua.sdk.core.AccessLevel;
import org.eclipse.milo.opcua.sdk.core.Reference;
import org.eclipse.milo.opcua.sdk.server.EndpointConfig;
import org.eclipse.milo.opcua.sdk.server.ManagedNamespaceWithLifecycle;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig;
import org.eclipse.milo.opcua.sdk.server.identity.AnonymousIdentityValidator;
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
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.structured.BuildInfo;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransport;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransportConfig;

/**
 * The packaging line of the demo: an OPC UA server (Eclipse Milo) on loopback whose stations' variables
 * follow the plant model every second, read by the platform's own OPC UA connector like a real PLC's.
 * Anonymous, security None: it never leaves the machine.
 */
final class DemoLine implements AutoCloseable {

    private static final String NAMESPACE_URI = "urn:insa:demo:packaging-line";

    private final OpcUaServer server;
    private final Line line;
    private final int port;

    private DemoLine(OpcUaServer server, Line line, int port) {
        this.server = server;
        this.line = line;
        this.port = port;
    }

    /** Starts the line on {@code port}, or a free port when it is 0 (Milo names its port in its endpoints). */
    static DemoLine start(int port, PlantModel model) throws Exception {
        if (port == 0) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
        }
        KeyPair keyPair = SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
        X509Certificate certificate = new SelfSignedCertificateBuilder(keyPair)
                .setCommonName("INSA demo packaging line")
                .setApplicationUri("urn:insa:demo:opcua-line")
                .addIpAddress("127.0.0.1")
                .build();
        X509Certificate[] chain = {certificate};
        var certificates = new RsaSha256CertificateFactory() {
            @Override
            protected KeyPair createRsaSha256KeyPair() {
                return keyPair;
            }

            @Override
            protected X509Certificate[] createRsaSha256CertificateChain(KeyPair kp) {
                return chain;
            }
        };
        var group = DefaultApplicationGroup.createAndInitialize(
                new MemoryTrustListManager(),
                new MemoryCertificateStore(),
                certificates,
                new CertificateValidator.InsecureCertificateValidator());
        EndpointConfig endpoint = EndpointConfig.newBuilder()
                .setTransportProfile(TransportProfile.TCP_UASC_UABINARY)
                .setBindAddress("127.0.0.1")
                .setHostname("127.0.0.1")
                .setBindPort(port)
                .setPath("/line")
                .setCertificate(certificate)
                .addTokenPolicies(OpcUaServerConfig.USER_TOKEN_POLICY_ANONYMOUS)
                .setSecurityPolicy(SecurityPolicy.None)
                .setSecurityMode(MessageSecurityMode.None)
                .build();
        OpcUaServerConfig config = OpcUaServerConfig.builder()
                .setApplicationUri("urn:insa:demo:opcua-line")
                .setApplicationName(LocalizedText.english("INSA demo packaging line"))
                .setProductUri("urn:insa:demo")
                .setBuildInfo(new BuildInfo(
                        "urn:insa:demo",
                        "insa",
                        "INSA demo packaging line",
                        OpcUaServer.SDK_VERSION,
                        "",
                        DateTime.now()))
                .setEndpoints(Set.of(endpoint))
                .setCertificateManager(new DefaultCertificateManager(new MemoryCertificateQuarantine(), group))
                .setIdentityValidator(AnonymousIdentityValidator.INSTANCE)
                .build();
        OpcUaServer server = new OpcUaServer(
                config,
                profile -> new OpcTcpServerTransport(
                        OpcTcpServerTransportConfig.newBuilder().build()));
        Line line = new Line(server, model);
        line.startup();
        server.startup().get();
        return new DemoLine(server, line, port);
    }

    String endpointUrl() {
        return "opc.tcp://127.0.0.1:" + port + "/line";
    }

    /** The connector's mappings: each station's variables to the station's device and key. */
    List<Map<String, Object>> mappings() {
        List<Map<String, Object>> mappings = new ArrayList<>();
        for (Machine station : Line.STATIONS) {
            for (String key : Line.KEYS) {
                mappings.add(Map.of(
                        "node_id",
                        "ns=" + line.getNamespaceIndex() + ";s=" + Line.nodeName(station, key),
                        "device_name",
                        station.name(),
                        "key",
                        key,
                        "sampling_interval_ms",
                        1000));
            }
        }
        return mappings;
    }

    @Override
    public void close() throws Exception {
        line.shutdown();
        server.shutdown().get();
    }

    /** Folder PackagingLine with a variable per station and key, set from the model every second. */
    private static final class Line extends ManagedNamespaceWithLifecycle {

        static final List<Machine> STATIONS = PlantModel.machines().stream()
                .filter(m -> m.kind() == Kind.STATION)
                .toList();
        static final List<String> KEYS = List.of("speed_m_min", "temperature_c");

        private final PlantModel model;
        private final SubscriptionModel subscriptions;
        private final Map<String, UaVariableNode> variables = new ConcurrentHashMap<>();
        private ScheduledExecutorService ticker;

        Line(OpcUaServer server, PlantModel model) {
            super(server, NAMESPACE_URI);
            this.model = model;
            subscriptions = new SubscriptionModel(server, this);
            getLifecycleManager().addLifecycle(subscriptions);
            getLifecycleManager().addStartupTask(this::createNodes);
            getLifecycleManager().addStartupTask(() -> {
                ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "demo-opcua-line"));
                ticker.scheduleAtFixedRate(this::tick, 0, 1, TimeUnit.SECONDS);
            });
            getLifecycleManager().addShutdownTask(() -> ticker.shutdownNow());
        }

        static String nodeName(Machine station, String key) {
            return "PackagingLine." + station.name() + "." + key;
        }

        private void createNodes() {
            UaFolderNode folder = new UaFolderNode(
                    getNodeContext(),
                    newNodeId("PackagingLine"),
                    newQualifiedName("PackagingLine"),
                    LocalizedText.english("PackagingLine"));
            getNodeManager().addNode(folder);
            folder.addReference(
                    new Reference(folder.getNodeId(), NodeIds.Organizes, NodeIds.ObjectsFolder.expanded(), false));
            for (Machine station : STATIONS) {
                for (String key : KEYS) {
                    String name = nodeName(station, key);
                    UaVariableNode node = new UaVariableNode.UaVariableNodeBuilder(getNodeContext())
                            .setNodeId(newNodeId(name))
                            .setBrowseName(newQualifiedName(station.name() + "." + key))
                            .setDisplayName(LocalizedText.english(station.name() + " " + key))
                            .setDataType(NodeIds.Double)
                            .setTypeDefinition(NodeIds.BaseDataVariableType)
                            .setAccessLevel(AccessLevel.READ_ONLY)
                            .setUserAccessLevel(AccessLevel.READ_ONLY)
                            .setMinimumSamplingInterval(1000.0)
                            .build();
                    node.setValue(new DataValue(Variant.ofDouble(0.0)));
                    getNodeManager().addNode(node);
                    folder.addOrganizes(node);
                    variables.put(name, node);
                }
            }
        }

        private void tick() {
            Instant now = Instant.now();
            DateTime stamp = new DateTime(now);
            for (Machine station : STATIONS) {
                model.read(station, now)
                        .forEach((key, value) -> variables
                                .get(nodeName(station, key))
                                .setValue(new DataValue(Variant.ofDouble(value), StatusCode.GOOD, stamp, stamp)));
            }
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
