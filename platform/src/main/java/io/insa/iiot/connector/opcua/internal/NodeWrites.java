package io.insa.iiot.connector.opcua.internal;

import io.insa.iiot.command.Commands;
import io.insa.iiot.command.DeviceCommand;
import io.insa.iiot.connector.opcua.OpcUaConnector;
import io.insa.iiot.device.DeviceIdentity;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Commands to a connector's devices: {"method": "write", "params": {"key": "setpoint", "value": 42}} becomes a write of
 * the node the key is mapped to, through the live session, answered with the OPC UA status code's name.
 */
final class NodeWrites {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final OpcUaConnector connector;
    private final Supplier<OpcUaClient> client;
    private final ExecutorService work;
    private final Commands commands;

    /** {@code client}: the session's connected client, or null while there is none. */
    NodeWrites(OpcUaConnector connector, Supplier<OpcUaClient> client, ExecutorService work, Commands commands) {
        this.connector = connector;
        this.client = client;
        this.work = work;
        this.commands = commands;
    }

    /** Writes on a thread of its own and answers the command, whatever happened. */
    void write(DeviceIdentity device, DeviceCommand command) {
        work.submit(() -> {
            String answer;
            try {
                answer = JSON.writeValueAsString(Map.of("status_code", writeNow(device, command)));
            } catch (RuntimeException e) {
                answer = JSON.writeValueAsString(Map.of("status_code", "Bad_UnexpectedError", "error", e.getMessage()));
            }
            commands.respond(device.deviceId(), command.id(), answer);
        });
    }

    private String writeNow(DeviceIdentity device, DeviceCommand command) {
        if (!"write".equals(command.method())) {
            return "Bad_MethodInvalid: only the method write is mapped to OPC UA";
        }
        JsonNode params = JSON.readTree(command.params());
        String key = params.path("key").asString("");
        OpcUaConnector.Mapping mapping =
                ValueMapping.of(connector, device.name(), key).orElse(null);
        if (mapping == null) {
            return "Bad_NodeIdUnknown: no mapping of key '" + key + "' for this device";
        }
        OpcUaClient connected = client.get();
        if (connected == null) {
            return "Bad_NotConnected";
        }
        Object plain = ValueMapping.plain(params.path("value"));
        try {
            NodeId node = NodeId.parse(mapping.nodeId());
            Object current = connected
                    .readValues(0, TimestampsToReturn.Neither, List.of(node))
                    .getFirst()
                    .getValue()
                    .getValue();
            Object typed = ValueMapping.typed(current, plain, mapping);
            StatusCode status = connected
                    .writeValues(List.of(node), List.of(new DataValue(new Variant(typed))))
                    .getFirst();
            return Failures.name(status);
        } catch (UaException e) {
            return Failures.name(e.getStatusCode());
        }
    }
}
