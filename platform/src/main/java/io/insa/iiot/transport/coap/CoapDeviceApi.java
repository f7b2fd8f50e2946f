package io.insa.iiot.transport.coap;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.device.Devices;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.ingest.IngestService;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.BiFunction;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * The CoAP device API (SPEC 5, CoAP column): {@code POST /api/v1/{token}/telemetry} and
 * {@code /attributes}, confirmable or not. The response (2.04 Changed, piggy-backed on the ACK of a
 * confirmable request when the commit is quick) is sent only after the message is committed;
 * refusals carry the reason as a diagnostic payload.
 */
final class CoapDeviceApi extends CoapResource {

    private final Devices devices;
    private final IngestService ingest;
    private final ExecutorService blocking;
    private final Resource tokenLevel;

    CoapDeviceApi(Devices devices, IngestService ingest, ExecutorService blocking) {
        super("v1");
        this.devices = devices;
        this.ingest = ingest;
        this.blocking = blocking;
        CoapResource anyToken = new CoapResource("token") {
            private final Resource telemetry = new Upload("telemetry", ingest::telemetry);
            private final Resource attributes = new Upload("attributes", ingest::attributes);

            @Override
            public Resource getChild(String name) {
                return switch (name) {
                    case "telemetry" -> telemetry;
                    case "attributes" -> attributes;
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
            List<String> path = exchange.getRequestOptions().getUriPath();
            String token = path.size() == 4 ? path.get(2) : null;
            byte[] payload = exchange.getRequestPayload();
            CompletableFuture.supplyAsync(() -> upload(token, payload), blocking)
                    .thenCompose(f -> f)
                    .whenComplete((result, error) -> respond(
                            exchange,
                            error != null
                                    ? new IngestResult.Failed("internal error", java.time.Duration.ofSeconds(1))
                                    : result));
        }

        private CompletableFuture<IngestResult> upload(String token, byte[] payload) {
            Optional<DeviceIdentity> device = devices.authenticate(token);
            if (device.isEmpty()) {
                return CompletableFuture.completedFuture(null); // null: bad credentials
            }
            return kind.apply(device.get(), payload);
        }
    }

    private static void respond(CoapExchange exchange, IngestResult result) {
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
            case RATE_LIMITED, QUOTA_EXCEEDED -> ResponseCode.TOO_MANY_REQUESTS;
        };
    }
}
