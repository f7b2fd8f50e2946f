package io.insa.iiot.support;

import io.insa.iiot.demo.SimulatedOpcUaServer;
import java.security.Security;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.eclipse.milo.opcua.sdk.core.AccessLevel;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.items.DataItem;
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
 * sine), {@code Running0..N} (Boolean), {@code Status0..N} (String), {@code Ramp} (+0.1 every 100 ms),
 * {@code Setpoint} (Double, written by clients) and {@code Counter} (Int64, set by the test with {@link #count};
 * reported on each change rather than sampled, as PLC servers and asyncua do, so every change reaches the
 * subscription's queue and a test can count them). Source timestamps lie {@link #SOURCE_LAG} behind
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

    /** Sets {@code Counter} to {@code n}, reported at once to every monitored item of it; its source time. */
    public Instant count(long n) {
        return server.namespace().count(n);
    }

    /** The usernames of the username logins clients sent, right or wrong. */
    public List<String> usernameLogins() {
        return server.usernameLogins();
    }

    /** The namespace of the Line1 folder and its variables, changing every 100 ms. */
    private static final class Line extends SimulatedOpcUaServer.Namespace {
        final int count;
        final Map<String, UaVariableNode> variables = new ConcurrentHashMap<>();
        /** The monitored items of Counter: fed on each change, not sampled. */
        private final Set<DataItem> counted = ConcurrentHashMap.newKeySet();

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
            add(folder, "Counter", NodeIds.Int64, Variant.ofInt64(0L));
        }

        synchronized Instant count(long n) {
            Instant source = Instant.now().minus(SOURCE_LAG);
            DataValue value = new DataValue(Variant.ofInt64(n), StatusCode.GOOD, new DateTime(source), DateTime.now());
            variables.get("Counter").setValue(value);
            counted.forEach(item -> item.setValue(value));
            return source;
        }

        private boolean isCounter(DataItem item) {
            return item.getReadValueId()
                    .getNodeId()
                    .equals(variables.get("Counter").getNodeId());
        }

        @Override
        public void onDataItemsCreated(List<DataItem> items) {
            List<DataItem> sampled = new ArrayList<>();
            for (DataItem item : items) {
                if (isCounter(item)) {
                    synchronized (this) {
                        counted.add(item);
                        item.setValue(variables.get("Counter").getValue()); // the initial value
                    }
                } else {
                    sampled.add(item);
                }
            }
            super.onDataItemsCreated(sampled);
        }

        @Override
        public void onDataItemsDeleted(List<DataItem> items) {
            items.forEach(counted::remove);
            super.onDataItemsDeleted(items);
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
                if (name.equals("Setpoint") || name.equals("Counter")) {
                    return; // written by clients, or by the test
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
