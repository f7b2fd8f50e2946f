package io.insa.iiot.transport.coap;

import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.command.DeviceCommand;
import io.insa.iiot.device.DeviceCredentials;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestPressure;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.transport.Busy;
import io.insa.iiot.transport.DeviceSessions;
import io.insa.iiot.transport.InFlight;
import io.insa.iiot.transport.TransportMetrics;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.function.BiFunction;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.observe.ObserveRelation;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * The CoAP device API (SPEC 5, CoAP column): {@code POST /api/v1/{token}/telemetry} and
 * {@code /attributes}, confirmable or not. The response (2.04 Changed, piggy-backed on the ACK of a
 * confirmable request when the commit is quick) is sent only after the message is committed;
 * refusals carry the reason as a diagnostic payload. While the ingest queue is above its high-water
 * mark, uploads are answered 5.03 with a Max-Age at once, without being admitted.
 */
final class CoapDeviceApi extends CoapResource {

    private final DeviceCredentials devices;
    private final Ingest ingest;
    private final IngestPressure pressure;
    private final ExecutorService blocking;
    private final Commands commands;
    private final DeviceSessions sessions;
    private final TransportMetrics metrics;
    private final InFlight inFlight;
    private final Resource tokenLevel;

    CoapDeviceApi(
            DeviceCredentials devices,
            Ingest ingest,
            IngestPressure pressure,
            ExecutorService blocking,
            CommandChannels channels,
            Commands commands,
            DeviceSessions sessions,
            TransportMetrics metrics,
            InFlight inFlight) {
        super("v1");
        this.metrics = metrics;
        this.inFlight = inFlight;
        this.devices = devices;
        this.ingest = ingest;
        this.pressure = pressure;
        this.blocking = blocking;
        this.commands = commands;
        this.sessions = sessions;
        CoapResource anyToken = new CoapResource("token") {
            private final Resource telemetry = new Upload("telemetry", ingest::telemetry);
            private final Resource attributes = new Upload("attributes", ingest::attributes);
            private final Resource rpc = new CommandResource(channels);

            @Override
            public Resource getChild(String name) {
                return switch (name) {
                    case "telemetry" -> telemetry;
                    case "attributes" -> attributes;
                    case "rpc" -> rpc;
                    default -> null;
                };
            }
        };
        this.tokenLevel = anyToken;
    }

    /** Every path segment under /api/v1 is a device token; the upload resources read it from the path. */
    @Override
    public Resource getChild(String token) {
        return tokenLevel;
    }

    /** One upload kind: telemetry or attributes. */
    private final class Upload extends CoapResource {

        private final BiFunction<DeviceIdentity, byte[], CompletableFuture<IngestResult>> kind;

        Upload(String name, BiFunction<DeviceIdentity, byte[], CompletableFuture<IngestResult>> kind) {
            super(name);
            this.kind = kind;
        }

        @Override
        public void handlePOST(CoapExchange exchange) {
            if (pressure.isQueueHigh()) {
                metrics.busy();
                exchange.setMaxAge(Busy.ANSWER.retryAfter().toSeconds());
                exchange.respond(ResponseCode.SERVICE_UNAVAILABLE, Busy.ANSWER.detail());
                return;
            }
            List<String> path = exchange.getRequestOptions().getUriPath();
            String token = path.size() == 4 ? path.get(2) : null;
            byte[] payload = exchange.getRequestPayload();
            inFlight.begin();
            CompletableFuture.supplyAsync(() -> upload(token, payload), blocking)
                    .thenCompose(f -> f)
                    .whenComplete((result, error) -> respond(
                            exchange,
                            error != null
                                    ? new IngestResult.Failed("internal error", java.time.Duration.ofSeconds(1))
                                    : result))
                    .whenComplete((result, error) -> inFlight.end());
        }

        private CompletableFuture<IngestResult> upload(String token, byte[] payload) {
            Optional<DeviceIdentity> device = devices.authenticate(token);
            if (device.isEmpty()) {
                return CompletableFuture.completedFuture(null); // null: bad credentials
            }
            return kind.apply(device.get(), payload);
        }
    }

    /**
     * {@code GET /api/v1/{token}/rpc} with Observe: each notification carries the next command for the
     * device ({@code {}} when none is waiting); {@code POST /api/v1/{token}/rpc/{id}} answers one. When
     * the device is deleted or its token rotated, a 4.01 notification ends the observation.
     */
    private final class CommandResource extends CoapResource {

        /** What an observation holds while it lasts. */
        private record Listening(CommandChannels.Registration commands, DeviceSessions.Registration session) {}

        private final CommandChannels channels;
        private final Map<UUID, Deque<DeviceCommand>> waiting = new ConcurrentHashMap<>();
        private final Map<ObserveRelation, Listening> listening = new ConcurrentHashMap<>();
        /** Observations whose credentials were revoked: their next notification ends them. */
        private final Set<ObserveRelation> revoked = ConcurrentHashMap.newKeySet();

        private final Resource answer = new CoapResource("answer") {
            @Override
            public void handlePOST(CoapExchange exchange) {
                List<String> path = exchange.getRequestOptions().getUriPath();
                Optional<DeviceIdentity> device = devices.authenticate(path.get(2));
                if (device.isEmpty()) {
                    exchange.respond(ResponseCode.UNAUTHORIZED, "unknown device token");
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
                        device.get().deviceId(),
                        id,
                        new String(exchange.getRequestPayload(), java.nio.charset.StandardCharsets.UTF_8));
                exchange.respond(
                        known ? ResponseCode.CHANGED : ResponseCode.NOT_FOUND, known ? "" : "no waiting command " + id);
            }
        };

        CommandResource(CommandChannels channels) {
            super("rpc");
            this.channels = channels;
            setObservable(true);
            setObserveType(org.eclipse.californium.core.coap.CoAP.Type.CON);
        }

        @Override
        public Resource getChild(String commandId) {
            return answer;
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            ObserveRelation relation = exchange.advanced().getRelation();
            if (relation != null && revoked.remove(relation)) {
                exchange.respond(ResponseCode.UNAUTHORIZED, "the device's credentials were revoked");
                return; // an error notification ends the observation
            }
            List<String> path = exchange.getRequestOptions().getUriPath();
            long stamp = sessions.stamp();
            Optional<DeviceIdentity> device = devices.authenticate(path.size() > 2 ? path.get(2) : null);
            if (device.isEmpty()) {
                exchange.respond(ResponseCode.UNAUTHORIZED, "unknown device token");
                return;
            }
            UUID deviceId = device.get().deviceId();
            if (relation != null && !listening.containsKey(relation)) {
                listening.put(
                        relation,
                        new Listening(
                                channels.register(deviceId, command -> {
                                    waiting.computeIfAbsent(deviceId, id -> new ConcurrentLinkedDeque<>())
                                            .add(command);
                                    changed(r -> r == relation);
                                }),
                                sessions.credentialsOf(deviceId, stamp, () -> {
                                    revoked.add(relation);
                                    changed(r -> r == relation);
                                })));
                if (revoked.remove(relation)) { // revoked between the lookup and the registration
                    exchange.respond(ResponseCode.UNAUTHORIZED, "the device's credentials were revoked");
                    return;
                }
            }
            Deque<DeviceCommand> queue = waiting.get(deviceId);
            DeviceCommand next = queue == null ? null : queue.poll();
            exchange.respond(
                    ResponseCode.CONTENT, next == null ? "{}" : next.json(), MediaTypeRegistry.APPLICATION_JSON);
        }

        @Override
        public void removeObserveRelation(ObserveRelation relation) {
            super.removeObserveRelation(relation);
            revoked.remove(relation);
            Listening ended = listening.remove(relation);
            if (ended != null) {
                ended.commands().close();
                ended.session().close();
            }
        }
    }

    private void respond(CoapExchange exchange, IngestResult result) {
        if (result != null) {
            metrics.message(result);
        }
        switch (result) {
            case null -> exchange.respond(ResponseCode.UNAUTHORIZED, "unknown device token");
            case IngestResult.Accepted accepted -> exchange.respond(ResponseCode.CHANGED);
            case IngestResult.Rejected rejected -> {
                if (rejected.retryAfter() != null) {
                    exchange.setMaxAge(Math.max(1, rejected.retryAfter().toSeconds()));
                }
                exchange.respond(code(rejected.reason()), rejected.detail());
            }
            case IngestResult.Failed failed -> {
                exchange.setMaxAge(Math.max(1, failed.retryAfter().toSeconds()));
                exchange.respond(ResponseCode.SERVICE_UNAVAILABLE, failed.detail());
            }
        }
    }

    private static ResponseCode code(IngestResult.Reason reason) {
        return switch (reason) {
            case MALFORMED -> ResponseCode.BAD_REQUEST;
            case TENANT_SUSPENDED -> ResponseCode.FORBIDDEN;
            case DEVICE_DELETED -> ResponseCode.UNAUTHORIZED;
            case RATE_LIMITED, QUOTA_EXCEEDED -> ResponseCode.TOO_MANY_REQUESTS;
        };
    }
}
