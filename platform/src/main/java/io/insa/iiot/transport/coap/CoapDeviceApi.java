package io.insa.iiot.transport.coap;

import io.insa.iiot.command.ClientRpc;
import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.command.DeviceCommand;
import io.insa.iiot.device.DeviceAttributes;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.device.SharedAttributesChanged;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestPressure;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.transport.AttributeMessages;
import io.insa.iiot.transport.AttributeSubscriptions;
import io.insa.iiot.transport.Busy;
import io.insa.iiot.transport.DeviceEdge;
import io.insa.iiot.transport.DeviceSessions;
import io.insa.iiot.transport.InFlight;
import io.insa.iiot.transport.TransportMetrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.observe.ObserveRelation;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * The CoAP device API (SPEC 5, CoAP column), on ThingsBoard's paths: {@code POST /api/v1/{token}/telemetry}
 * and {@code /attributes}, confirmable or not. The response (2.04 Changed, piggy-backed on the ACK of a
 * confirmable request when the commit is quick) is sent only after the message is committed;
 * refusals carry the reason as a diagnostic payload. While the ingest queue is above its high-water
 * mark, uploads are answered 5.03 with a Max-Age at once, without being admitted. Towards the device:
 * attribute requests and Observe on {@code /attributes}, Observe on {@code /rpc} for commands, and
 * client-side RPC ({@code POST /rpc}).
 */
final class CoapDeviceApi extends CoapResource {

    private final DeviceEdge edge;
    private final Ingest ingest;
    private final IngestPressure pressure;
    private final ExecutorService blocking;
    private final Commands commands;
    private final ClientRpc clientRpc;
    private final DeviceAttributes attributes;
    private final AttributeSubscriptions subscriptions;
    private final TransportMetrics metrics;
    private final InFlight inFlight;
    private final Resource tokenLevel;

    CoapDeviceApi(
            DeviceEdge edge,
            Ingest ingest,
            IngestPressure pressure,
            ExecutorService blocking,
            CommandChannels channels,
            Commands commands,
            ClientRpc clientRpc,
            DeviceAttributes attributes,
            AttributeSubscriptions subscriptions,
            TransportMetrics metrics,
            InFlight inFlight) {
        super("v1");
        this.metrics = metrics;
        this.inFlight = inFlight;
        this.edge = edge;
        this.ingest = ingest;
        this.pressure = pressure;
        this.blocking = blocking;
        this.commands = commands;
        this.clientRpc = clientRpc;
        this.attributes = attributes;
        this.subscriptions = subscriptions;
        CoapResource anyToken = new CoapResource("token") {
            private final Resource telemetry = new Upload("telemetry", ingest::telemetry);
            private final Resource attributes = new AttributeResource();
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
    private class Upload extends CoapResource {

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
            Optional<DeviceEdge.Login> login = authenticate(token);
            if (login.isEmpty()) {
                return CompletableFuture.completedFuture(null); // null: bad credentials
            }
            return kind.apply(login.get().device(), payload);
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
                Optional<DeviceIdentity> device = authenticate(path.get(2)).map(DeviceEdge.Login::device);
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

        /** Client-side RPC: {@code {"method": ..., "params": ...}}, answered 2.05 by the rules or with {@code {"error": ...}}. */
        @Override
        public void handlePOST(CoapExchange exchange) {
            Optional<DeviceIdentity> device = authenticate(token(exchange)).map(DeviceEdge.Login::device);
            if (device.isEmpty()) {
                exchange.respond(ResponseCode.UNAUTHORIZED, "unknown device token");
                return;
            }
            exchange.respond(
                    ResponseCode.CONTENT,
                    clientRpc.answer(device.get(), exchange.getRequestPayload()),
                    MediaTypeRegistry.APPLICATION_JSON);
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            ObserveRelation relation = exchange.advanced().getRelation();
            if (relation != null && revoked.remove(relation)) {
                exchange.respond(ResponseCode.UNAUTHORIZED, "the device's credentials were revoked");
                return; // an error notification ends the observation
            }
            List<String> path = exchange.getRequestOptions().getUriPath();
            Optional<DeviceEdge.Login> login = authenticate(path.size() > 2 ? path.get(2) : null);
            if (login.isEmpty()) {
                exchange.respond(ResponseCode.UNAUTHORIZED, "unknown device token");
                return;
            }
            UUID deviceId = login.get().device().deviceId();
            if (relation != null && !listening.containsKey(relation)) {
                listening.put(
                        relation,
                        new Listening(
                                channels.register(deviceId, command -> {
                                    waiting.computeIfAbsent(deviceId, id -> new ConcurrentLinkedDeque<>())
                                            .add(command);
                                    changed(r -> r == relation);
                                }),
                                edge.session(login.get(), () -> {
                                    revoked.add(relation);
                                    changed(r -> r == relation);
                                })));
                if (revoked.remove(relation)) { // revoked between the lookup and the registration
                    release(relation); // never established: Californium will not remove it
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
            release(relation);
        }

        private void release(ObserveRelation relation) {
            revoked.remove(relation);
            Listening ended = listening.remove(relation);
            if (ended != null) {
                ended.commands().close();
                ended.session().close();
            }
        }
    }

    /**
     * {@code /api/v1/{token}/attributes}: POST stores client attributes; GET reads client and shared
     * attributes ({@code ?clientKeys=a,b&sharedKeys=c}, all of both without keys); GET with Observe
     * is answered with the shared attributes as they are, then notified of each change of them
     * ({@code {"key": value, "deleted": [...]}}) until the device's credentials are revoked, when a
     * 4.01 notification ends the observation.
     */
    private final class AttributeResource extends Upload {

        /** What an observation holds while it lasts. */
        private record Listening(AttributeSubscriptions.Subscription changes, DeviceSessions.Registration session) {}

        /** A change the observer has not acknowledged yet, numbered in the order changes came. */
        private record Pending(long number, SharedAttributesChanged change) {}

        private final Map<ObserveRelation, Listening> listening = new ConcurrentHashMap<>();
        private final Map<ObserveRelation, Deque<Pending>> pending = new ConcurrentHashMap<>();
        private final AtomicLong numbers = new AtomicLong();
        /** Observations whose credentials were revoked: their next notification ends them. */
        private final Set<ObserveRelation> revoked = ConcurrentHashMap.newKeySet();

        AttributeResource() {
            super("attributes", ingest::attributes);
            setObservable(true);
            setObserveType(org.eclipse.californium.core.coap.CoAP.Type.CON);
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            ObserveRelation relation = exchange.advanced().getRelation();
            if (relation != null && revoked.remove(relation)) {
                exchange.respond(ResponseCode.UNAUTHORIZED, "the device's credentials were revoked");
                return; // an error notification ends the observation
            }
            Optional<DeviceEdge.Login> login = authenticate(token(exchange));
            if (login.isEmpty()) {
                exchange.respond(ResponseCode.UNAUTHORIZED, "unknown device token");
                return;
            }
            DeviceIdentity device = login.get().device();
            if (relation == null) {
                AttributeMessages.Request asked = AttributeMessages.request(
                        query(exchange, "clientKeys", "client_keys"), query(exchange, "sharedKeys", "shared_keys"));
                exchange.respond(
                        ResponseCode.CONTENT,
                        AttributeMessages.response(
                                attributes.forDevice(device, asked.clientKeys(), asked.sharedKeys())),
                        MediaTypeRegistry.APPLICATION_JSON);
                return;
            }
            if (!listening.containsKey(relation)) {
                listening.put(
                        relation,
                        new Listening(
                                subscriptions.device(device.deviceId(), change -> {
                                    pending.computeIfAbsent(relation, r -> new ConcurrentLinkedDeque<>())
                                            .add(new Pending(numbers.incrementAndGet(), change));
                                    changed(r -> r == relation);
                                }),
                                edge.session(login.get(), () -> {
                                    revoked.add(relation);
                                    changed(r -> r == relation);
                                })));
                if (revoked.remove(relation)) { // revoked between the lookup and the registration
                    release(relation); // never established: Californium will not remove it
                    exchange.respond(ResponseCode.UNAUTHORIZED, "the device's credentials were revoked");
                    return;
                }
                DeviceAttributes.Readable now = attributes.forDevice(device, Set.of(), Set.of());
                exchange.respond(
                        ResponseCode.CONTENT,
                        AttributeMessages.values(now.shared()).toString(),
                        MediaTypeRegistry.APPLICATION_JSON);
                return;
            }
            // Californium keeps only the newest of the notifications waiting behind an unacknowledged one:
            // each carries every change not acknowledged yet, so none is lost when an older one is dropped
            Deque<Pending> changes = pending.getOrDefault(relation, new ArrayDeque<>());
            List<Pending> unacknowledged = List.copyOf(changes);
            Response notification = new Response(ResponseCode.CONTENT);
            notification.setPayload(AttributeMessages.update(
                    unacknowledged.stream().map(Pending::change).toList()));
            notification.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
            if (!unacknowledged.isEmpty()) {
                long upTo = unacknowledged.getLast().number();
                notification.addMessageObserver(new MessageObserverAdapter() {
                    @Override
                    public void onAcknowledgement() {
                        changes.removeIf(p -> p.number() <= upTo);
                    }
                });
            }
            exchange.respond(notification);
        }

        @Override
        public void removeObserveRelation(ObserveRelation relation) {
            super.removeObserveRelation(relation);
            release(relation);
        }

        private void release(ObserveRelation relation) {
            revoked.remove(relation);
            pending.remove(relation);
            Listening ended = listening.remove(relation);
            if (ended != null) {
                ended.changes().close();
                ended.session().close();
            }
        }
    }

    /** The token of a request to /api/v1/{token}/... */
    private static String token(CoapExchange exchange) {
        List<String> path = exchange.getRequestOptions().getUriPath();
        return path.size() > 2 ? path.get(2) : null;
    }

    /** A query parameter's values, comma-separated or repeated, under either of its names. */
    private static String query(CoapExchange exchange, String name, String alias) {
        List<String> values = new ArrayList<>();
        for (String parameter : exchange.getRequestOptions().getUriQuery()) {
            int eq = parameter.indexOf('=');
            String key = eq < 0 ? parameter : parameter.substring(0, eq);
            if ((key.equals(name) || key.equals(alias)) && eq >= 0) {
                values.add(parameter.substring(eq + 1));
            }
        }
        return String.join(",", values);
    }

    /** The request runs on a virtual thread already: the lookup may wait here. */
    private Optional<DeviceEdge.Login> authenticate(String token) {
        return edge.authenticateHere(new DeviceEdge.AccessToken(token));
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
