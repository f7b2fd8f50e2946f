package io.insa.iiot.support;

import io.insa.iiot.demo.SimulatedOpcUaServer;
import java.security.Security;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.eclipse.milo.opcua.sdk.core.AccessLevel;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.nodes.UaFolderNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaVariableNode;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;

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

    static {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
    }

    private final SimulatedOpcUaServer<Line> server;

    private OpcUaTestServer(SimulatedOpcUaServer<Line> server) {
        this.server = server;
    }

    /** A server with {@code variables} variables of each kind on a free port, started. */
    public static OpcUaTestServer start(int variables) throws Exception {
        var setup = SimulatedOpcUaServer.Setup.plain("INSA test server", "urn:insa:test:opcua-server", "/milo")
                .withSecurity(USERNAME, PASSWORD);
        return start(setup, variables);
    }

    /** As {@link #start(int)}, but its endpoints advertise {@code host} instead of the loopback address it listens on. */
    public static OpcUaTestServer advertising(String host, int variables) throws Exception {
        var setup = SimulatedOpcUaServer.Setup.plain("INSA test server", "urn:insa:test:opcua-server", "/milo")
                .withAdvertisedHost(host);
        return start(setup, variables);
    }

    private static OpcUaTestServer start(SimulatedOpcUaServer.Setup setup, int variables) throws Exception {
        return new OpcUaTestServer(SimulatedOpcUaServer.start(setup, opcua -> new Line(opcua, variables)));
    }

    /** The same server (port, certificate, variables) started again after {@link #close()}. */
    public OpcUaTestServer restart() throws Exception {
        return start(server.setup(), server.namespace().count);
    }

    @Override
    public void close() throws Exception {
        server.close();
    }

    public String endpointUrl() {
        return server.endpointUrl();
    }

    /** The node id of a variable under Line1, e.g. {@code ns=2;s=Line1.Temperature0}. */
    public String nodeId(String name) {
        return server.nodeId("Line1." + name);
    }

    /** The application certificates clients presented on SignAndEncrypt channels. */
    public java.util.Set<java.security.cert.X509Certificate> clientCertificates() {
        return server.clientCertificates();
    }

    public Object value(String name) {
        return server.namespace().variables.get(name).getValue().getValue().getValue();
    }

    /** The namespace of the Line1 folder and its variables, changing every 100 ms. */
    private static final class Line extends SimulatedOpcUaServer.Namespace {
        final int count;
        final Map<String, UaVariableNode> variables = new ConcurrentHashMap<>();
        private long tick;

        Line(OpcUaServer server, int count) {
            super(server, "urn:insa:test:line", "opcua-test-ticker", Duration.ofMillis(100), Duration.ofMillis(100));
            this.count = count;
        }

        @Override
        protected void createNodes() {
            UaFolderNode folder = addFolder("Line1");
            for (int i = 0; i < count; i++) {
                add(folder, "Temperature" + i, NodeIds.Double, Variant.ofDouble(20.0));
                add(folder, "Running" + i, NodeIds.Boolean, Variant.ofBoolean(false));
                add(folder, "Status" + i, NodeIds.String, Variant.ofString("init"));
            }
            add(folder, "Ramp", NodeIds.Double, Variant.ofDouble(0.0));
            add(folder, "Setpoint", NodeIds.Double, Variant.ofDouble(10.0));
        }

        private void add(UaFolderNode folder, String name, NodeId dataType, Variant initial) {
            DataValue value = new DataValue(initial, StatusCode.GOOD, lagging());
            variables.put(
                    name,
                    addVariable(
                            folder,
                            "Line1." + name,
                            name,
                            dataType,
                            AccessLevel.READ_WRITE,
                            Duration.ofMillis(100),
                            value));
        }

        private static DateTime lagging() {
            return new DateTime(java.time.Instant.now().minus(SOURCE_LAG));
        }

        @Override
        protected void tick() {
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
    }
}
