package io.insa.iiot.transport.coap;

import io.insa.iiot.command.ClientRpc;
import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.command.DeviceCommand;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.transport.DeviceEdge;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.observe.ObserveRelation;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * {@code /api/v1/{token}/rpc}: GET with Observe delivers commands, each notification carrying the next
 * one for the device ({@code {}} when none is waiting); {@code POST .../rpc/{id}} answers one; POST on
 * {@code .../rpc} itself is the device's own request (client-side RPC), answered 2.05 by the rules or
 * with {@code {"error": ...}}. An observation lasts while the device's credentials hold.
 */
final class CoapCommands extends CoapDeviceResource {

    private final CoapRequests requests;
    private final CommandChannels channels;
    private final Commands commands;
    private final ClientRpc clientRpc;
    private final CoapObservations observations;
    private final Map<UUID, Deque<DeviceCommand>> waiting = new ConcurrentHashMap<>();

    private final Resource answer = new CoapDeviceResource("answer") {
        @Override
        public void handlePOST(CoapExchange exchange) {
            List<String> path = exchange.getRequestOptions().getUriPath();
            Optional<DeviceIdentity> device = requests.loginOrRefuse(exchange).map(DeviceEdge.Login::device);
            if (device.isEmpty()) {
                return;
            }
            UUID id;
            try {
                id = UUID.fromString(path.get(4));
            } catch (IllegalArgumentException e) {
                exchange.respond(ResponseCode.BAD_REQUEST, "not a command id: " + path.get(4));
                return;
            }
            boolean known = commands.respond(
                    device.get().deviceId(), id, new String(exchange.getRequestPayload(), StandardCharsets.UTF_8));
            exchange.respond(
                    known ? ResponseCode.CHANGED : ResponseCode.NOT_FOUND, known ? "" : "no waiting command " + id);
        }
    };

    CoapCommands(
            CoapRequests requests, DeviceEdge edge, CommandChannels channels, Commands commands, ClientRpc clientRpc) {
        super("rpc");
        this.requests = requests;
        this.channels = channels;
        this.commands = commands;
        this.clientRpc = clientRpc;
        this.observations = new CoapObservations(this, edge, requests);
    }

    @Override
    public Resource getChild(String commandId) {
        return answer;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        Optional<DeviceIdentity> device = requests.loginOrRefuse(exchange).map(DeviceEdge.Login::device);
        if (device.isEmpty()) {
            return;
        }
        if (requests.refused(exchange, device.get())) {
            return;
        }
        exchange.respond(
                ResponseCode.CONTENT,
                clientRpc.answer(device.get(), exchange.getRequestPayload()),
                MediaTypeRegistry.APPLICATION_JSON);
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        Optional<DeviceEdge.Login> login = observations.login(exchange);
        if (login.isEmpty()) {
            return;
        }
        ObserveRelation relation = exchange.advanced().getRelation();
        UUID deviceId = login.get().device().deviceId();
        if (relation != null && !observations.holds(relation)) {
            CommandChannels.Registration channel = channels.register(deviceId, command -> {
                waiting.computeIfAbsent(deviceId, id -> new ConcurrentLinkedDeque<>())
                        .add(command);
                changed(r -> r == relation);
            });
            if (!observations.open(relation, login.get(), channel::close, exchange)) {
                return;
            }
        }
        Deque<DeviceCommand> queue = waiting.get(deviceId);
        DeviceCommand next = queue == null ? null : queue.poll();
        exchange.respond(ResponseCode.CONTENT, next == null ? "{}" : next.json(), MediaTypeRegistry.APPLICATION_JSON);
    }

    @Override
    public void removeObserveRelation(ObserveRelation relation) {
        super.removeObserveRelation(relation);
        observations.release(relation);
    }
}
