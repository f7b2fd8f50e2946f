package io.insa.iiot.transport.http;

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
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.transport.AttributeMessages;
import io.insa.iiot.transport.AttributeSubscriptions;
import io.insa.iiot.transport.Busy;
import io.insa.iiot.transport.DeviceEdge;
import io.insa.iiot.transport.TransportMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The HTTP device API (SPEC 5, HTTP column), on ThingsBoard's paths: {@code POST /api/v1/{token}/telemetry}
 * and {@code /attributes} (200 only once the message is committed; 400 bad payload, 401 bad token, 403
 * suspended tenant, 429 quota or rate, 503 when the platform cannot store it now, at once while the
 * ingest queue is above its high-water mark); attribute requests and the long poll for shared attribute
 * changes; the long poll for commands and the answers to them; client-side RPC.
 */
@RestController
class HttpDeviceApi {

    private final DeviceEdge edge;
    private final Ingest ingest;
    private final IngestPressure pressure;
    private final TransportMetrics metrics;
    private final CommandChannels channels;
    private final Commands commands;
    private final ClientRpc clientRpc;
    private final DeviceAttributes attributes;
    private final AttributeSubscriptions subscriptions;

    HttpDeviceApi(
            DeviceEdge edge,
            Ingest ingest,
            IngestPressure pressure,
            CommandChannels channels,
            Commands commands,
            ClientRpc clientRpc,
            DeviceAttributes attributes,
            AttributeSubscriptions subscriptions,
            MeterRegistry registry) {
        this.edge = edge;
        this.ingest = ingest;
        this.pressure = pressure;
        this.metrics = new TransportMetrics(registry, "http", null);
        this.channels = channels;
        this.commands = commands;
        this.clientRpc = clientRpc;
        this.attributes = attributes;
        this.subscriptions = subscriptions;
    }

    /**
     * Long poll for a command: answers with the command's JSON as soon as one is sent to the device,
     * or 408 when none came within {@code timeout} milliseconds (see {@link LongPoll}).
     */
    @GetMapping("/api/v1/{token}/rpc")
    ResponseEntity<byte[]> poll(@PathVariable String token, @RequestParam(defaultValue = "0") long timeout) {
        long millis = LongPoll.millis(timeout);
        DeviceEdge.Login login = login(token);
        UUID device = login.device().deviceId();
        return LongPoll.<DeviceCommand>await(
                edge,
                login,
                millis,
                next -> channels.register(device, next)::close,
                command -> command.json().getBytes(StandardCharsets.UTF_8));
    }

    /** Client-side RPC: {@code {"method": ..., "params": ...}}, answered by the tenant's rules or with {@code {"error": ...}}. */
    @PostMapping("/api/v1/{token}/rpc")
    ResponseEntity<String> request(@PathVariable String token, HttpServletRequest request) throws IOException {
        DeviceIdentity device = admitted(login(token).device());
        byte[] body = readBounded(request, ingest.maxPayloadBytes());
        if (body.length > ingest.maxPayloadBytes()) {
            throw ProblemException.badRequest(
                    "body", "payload exceeds the limit of " + ingest.maxPayloadBytes() + " bytes");
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(clientRpc.answer(device, body));
    }

    /**
     * The device's client and shared attributes, as ThingsBoard's attribute request: the keys named
     * (comma-separated or repeated; ThingsBoard's Python SDK also says {@code client_keys} and
     * {@code shared_keys}), all of both scopes when none is.
     */
    @GetMapping("/api/v1/{token}/attributes")
    ResponseEntity<byte[]> readAttributes(
            @PathVariable String token,
            @RequestParam(required = false) List<String> clientKeys,
            @RequestParam(required = false) List<String> sharedKeys,
            @RequestParam(name = "client_keys", required = false) List<String> clientKeysSnake,
            @RequestParam(name = "shared_keys", required = false) List<String> sharedKeysSnake) {
        DeviceIdentity device = admitted(login(token).device());
        AttributeMessages.Request asked =
                AttributeMessages.request(joined(clientKeys, clientKeysSnake), joined(sharedKeys, sharedKeysSnake));
        return ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_JSON)
                .body(AttributeMessages.response(attributes.forDevice(device, asked.clientKeys(), asked.sharedKeys())));
    }

    /** Long poll for a change of the device's shared attributes (see {@link LongPoll}). */
    @GetMapping("/api/v1/{token}/attributes/updates")
    ResponseEntity<byte[]> pollAttributes(@PathVariable String token, @RequestParam(defaultValue = "0") long timeout) {
        long millis = LongPoll.millis(timeout);
        DeviceEdge.Login login = login(token);
        UUID device = login.device().deviceId();
        return LongPoll.<SharedAttributesChanged>await(
                edge, login, millis, next -> subscriptions.device(device, next)::close, AttributeMessages::update);
    }

    private static String joined(List<String> named, List<String> alsoNamed) {
        return String.join(
                ",",
                Stream.of(named, alsoNamed)
                        .filter(l -> l != null)
                        .flatMap(List::stream)
                        .toList());
    }

    /** The device's answer to a two-way command. */
    @PostMapping("/api/v1/{token}/rpc/{commandId}")
    ResponseEntity<Void> answer(@PathVariable String token, @PathVariable UUID commandId, HttpServletRequest request)
            throws IOException {
        DeviceIdentity device = login(token).device();
        byte[] body = readBounded(request, ingest.maxPayloadBytes());
        if (!commands.respond(device.deviceId(), commandId, new String(body, StandardCharsets.UTF_8))) {
            throw ProblemException.notFound("waiting command " + commandId);
        }
        return ResponseEntity.ok().build();
    }

    private DeviceEdge.Login login(String token) {
        return edge.authenticateHere(new DeviceEdge.AccessToken(token))
                .orElseThrow(() -> ProblemException.unauthorized("unknown device token"));
    }

    @PostMapping("/api/v1/{token}/telemetry")
    ResponseEntity<Void> telemetry(@PathVariable String token, HttpServletRequest request) throws IOException {
        return upload(token, request, ingest::telemetry);
    }

    @PostMapping("/api/v1/{token}/attributes")
    ResponseEntity<Void> attributes(@PathVariable String token, HttpServletRequest request) throws IOException {
        return upload(token, request, ingest::attributes);
    }

    private ResponseEntity<Void> upload(
            String token,
            HttpServletRequest request,
            BiFunction<DeviceIdentity, byte[], CompletableFuture<IngestResult>> kind)
            throws IOException {
        if (pressure.isQueueHigh()) {
            metrics.busy();
            throw ProblemException.of(HttpStatus.SERVICE_UNAVAILABLE, Busy.ANSWER.detail(), Busy.ANSWER.retryAfter());
        }
        DeviceIdentity device = login(token).device();
        byte[] payload = readBounded(request, ingest.maxPayloadBytes());
        // the request thread is virtual: waiting for the commit costs no platform thread
        IngestResult result = kind.apply(device, payload).join();
        metrics.message(result);
        if (!(result instanceof IngestResult.Accepted)) {
            throw refusal(result);
        }
        return ResponseEntity.ok().build();
    }

    /** The device, if its request (answered rather than stored) passes the limits of a message. */
    private DeviceIdentity admitted(DeviceIdentity device) {
        Optional<IngestResult> refused = ingest.admitRequest(device);
        if (refused.isPresent()) {
            metrics.message(refused.get());
            throw refusal(refused.get());
        }
        return device;
    }

    private static ProblemException refusal(IngestResult result) {
        return switch (result) {
            case IngestResult.Rejected rejected ->
                ProblemException.of(status(rejected.reason()), rejected.detail(), rejected.retryAfter());
            case IngestResult.Failed failed ->
                ProblemException.of(HttpStatus.SERVICE_UNAVAILABLE, failed.detail(), failed.retryAfter());
            case IngestResult.Accepted accepted -> throw new IllegalArgumentException("not a refusal");
        };
    }

    /** Reads at most {@code max + 1} bytes: enough to refuse an oversize body without holding it whole. */
    private static byte[] readBounded(HttpServletRequest request, int max) throws IOException {
        try (InputStream in = request.getInputStream()) {
            return in.readNBytes(max + 1);
        }
    }

    private static HttpStatus status(IngestResult.Reason reason) {
        return switch (reason) {
            case MALFORMED -> HttpStatus.BAD_REQUEST;
            case TENANT_SUSPENDED -> HttpStatus.FORBIDDEN;
            case DEVICE_DELETED -> HttpStatus.UNAUTHORIZED;
            case RATE_LIMITED, QUOTA_EXCEEDED -> HttpStatus.TOO_MANY_REQUESTS;
        };
    }
}
