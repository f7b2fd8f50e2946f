package io.insa.iiot.transport.http;

import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.command.DeviceCommand;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestPressure;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.transport.Busy;
import io.insa.iiot.transport.DeviceEdge;
import io.insa.iiot.transport.DeviceSessions;
import io.insa.iiot.transport.TransportMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The HTTP device API (SPEC 5, HTTP column): {@code POST /api/v1/{token}/telemetry} and
 * {@code /attributes}. 200 only once the message is committed; 400 bad payload, 401 bad token,
 * 403 suspended tenant, 429 quota or rate, 503 when the platform cannot store it now (retry), at
 * once while the ingest queue is above its high-water mark.
 */
@RestController
class HttpDeviceApi {

    static final long MAX_POLL_MILLIS = 60_000;

    private final DeviceEdge edge;
    private final Ingest ingest;
    private final IngestPressure pressure;
    private final TransportMetrics metrics;
    private final CommandChannels channels;
    private final Commands commands;

    HttpDeviceApi(
            DeviceEdge edge,
            Ingest ingest,
            IngestPressure pressure,
            CommandChannels channels,
            Commands commands,
            MeterRegistry registry) {
        this.edge = edge;
        this.ingest = ingest;
        this.pressure = pressure;
        this.metrics = new TransportMetrics(registry, "http", null);
        this.channels = channels;
        this.commands = commands;
    }

    /**
     * Long poll for a command: answers with the command's JSON as soon as one is sent to the device,
     * or 204 when none came within {@code timeout} milliseconds; 401 at once when the token is rotated
     * or the device deleted meanwhile.
     */
    @GetMapping(value = "/api/v1/{token}/rpc", produces = "application/json")
    ResponseEntity<String> poll(@PathVariable String token, @RequestParam(defaultValue = "30000") long timeout) {
        DeviceEdge.Login login = login(token);
        DeviceIdentity device = login.device();
        if (timeout < 1 || timeout > MAX_POLL_MILLIS) {
            throw ProblemException.badRequest("timeout", "must be between 1 and " + MAX_POLL_MILLIS + " ms");
        }
        CompletableFuture<DeviceCommand> next = new CompletableFuture<>();
        try (CommandChannels.Registration registration = channels.register(device.deviceId(), next::complete);
                DeviceSessions.Registration session = edge.session(login, () -> next.cancel(false))) {
            return ResponseEntity.ok(next.get(timeout, TimeUnit.MILLISECONDS).json());
        } catch (CancellationException e) {
            throw ProblemException.unauthorized("the device's credentials were revoked");
        } catch (TimeoutException e) {
            return ResponseEntity.noContent().build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ResponseEntity.noContent().build();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
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
        return switch (result) {
            case IngestResult.Accepted accepted -> ResponseEntity.ok().build();
            case IngestResult.Rejected rejected ->
                throw ProblemException.of(status(rejected.reason()), rejected.detail(), rejected.retryAfter());
            case IngestResult.Failed failed ->
                throw ProblemException.of(HttpStatus.SERVICE_UNAVAILABLE, failed.detail(), failed.retryAfter());
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
