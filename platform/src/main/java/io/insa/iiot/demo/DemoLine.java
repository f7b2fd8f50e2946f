package io.insa.iiot.demo;

import io.insa.iiot.demo.PlantModel.Kind;
import io.insa.iiot.demo.PlantModel.Machine;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.milo.opcua.sdk.core.AccessLevel;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.nodes.UaFolderNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaVariableNode;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;

/**
 * The packaging line of the demo: an OPC UA server on loopback whose stations' variables follow the
 * plant model every second, read by the platform's own OPC UA connector like a real PLC's.
 * Anonymous, security None: it never leaves the machine.
 */
final class DemoLine implements AutoCloseable {

    private static final List<Machine> STATIONS =
            PlantModel.machines().stream().filter(m -> m.kind() == Kind.STATION).toList();
    private static final List<String> KEYS = List.of("speed_m_min", "temperature_c");

    private final SimulatedOpcUaServer<Line> server;

    private DemoLine(SimulatedOpcUaServer<Line> server) {
        this.server = server;
    }

    /** Starts the line on {@code port}, or a free port when it is 0. */
    static DemoLine start(int port, PlantModel model) throws Exception {
        var setup = SimulatedOpcUaServer.Setup.plain("INSA demo packaging line", "urn:insa:demo:opcua-line", "/line")
                .withPort(port);
        return new DemoLine(SimulatedOpcUaServer.start(setup, opcua -> new Line(opcua, model)));
    }

    String endpointUrl() {
        return server.endpointUrl();
    }

    /** Where the line listens: the one address the demo tenant's connector is admitted to on loopback. */
    InetSocketAddress address() {
        return new InetSocketAddress(
                InetAddress.getLoopbackAddress(), server.setup().port());
    }

    /** The connector's mappings: each station's variables to the station's device and key. */
    List<Map<String, Object>> mappings() {
        List<Map<String, Object>> mappings = new ArrayList<>();
        for (Machine station : STATIONS) {
            for (String key : KEYS) {
                mappings.add(Map.of(
                        "node_id",
                        server.nodeId(nodeName(station, key)),
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
        server.close();
    }

    private static String nodeName(Machine station, String key) {
        return "PackagingLine." + station.name() + "." + key;
    }

    /** Folder PackagingLine with a variable per station and key, set from the model every second. */
    private static final class Line extends SimulatedOpcUaServer.Namespace {

        private final PlantModel model;
        private final Map<String, UaVariableNode> variables = new ConcurrentHashMap<>();

        Line(OpcUaServer server, PlantModel model) {
            super(server, "urn:insa:demo:packaging-line", "demo-opcua-line", Duration.ZERO, Duration.ofSeconds(1));
            this.model = model;
        }

        @Override
        protected void createNodes() {
            UaFolderNode folder = addFolder("PackagingLine");
            for (Machine station : STATIONS) {
                for (String key : KEYS) {
                    String name = nodeName(station, key);
                    variables.put(
                            name,
                            addVariable(
                                    folder,
                                    name,
                                    station.name() + "." + key,
                                    NodeIds.Double,
                                    AccessLevel.READ_ONLY,
                                    Duration.ofSeconds(1),
                                    new DataValue(Variant.ofDouble(0.0))));
                }
            }
        }

        @Override
        protected void tick() {
            Instant now = Instant.now();
            DateTime stamp = new DateTime(now);
            for (Machine station : STATIONS) {
                model.read(station, now)
                        .forEach((key, value) -> variables
                                .get(nodeName(station, key))
                                .setValue(new DataValue(Variant.ofDouble(value), StatusCode.GOOD, stamp, stamp)));
            }
        }
    }
}
