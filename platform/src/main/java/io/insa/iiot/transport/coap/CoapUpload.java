package io.insa.iiot.transport.coap;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.ingest.IngestPressure;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.transport.Busy;
import io.insa.iiot.transport.DeviceEdge;
import io.insa.iiot.transport.InFlight;
import io.insa.iiot.transport.TransportMetrics;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.BiFunction;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * {@code POST /api/v1/{token}/telemetry} or {@code /attributes}: answered 2.04 once the message is
 * committed (piggy-backed on the ACK of a confirmable request when the commit is quick), or with the
 * refusal; while the ingest queue is above its high-water mark, 5.03 with a Max-Age at once.
 */
class CoapUpload extends CoapDeviceResource {

    /** What every upload resource needs of the platform. */
    record Services(
            CoapRequests requests,
            IngestPressure pressure,
            ExecutorService blocking,
            TransportMetrics metrics,
            InFlight inFlight) {}

    private final BiFunction<DeviceIdentity, byte[], CompletableFuture<IngestResult>> kind;
    private final Services services;

    CoapUpload(
            String name, BiFunction<DeviceIdentity, byte[], CompletableFuture<IngestResult>> kind, Services services) {
        super(name);
        this.kind = kind;
        this.services = services;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        if (services.pressure().isQueueHigh()) {
            services.metrics().busy();
            exchange.setMaxAge(Busy.ANSWER.retryAfter().toSeconds());
            exchange.respond(ResponseCode.SERVICE_UNAVAILABLE, Busy.ANSWER.detail());
            return;
        }
        String token = exchange.getRequestOptions().getUriPath().size() == 4 ? CoapRequests.token(exchange) : null;
        byte[] payload = exchange.getRequestPayload();
        services.inFlight().begin();
        CompletableFuture.supplyAsync(() -> upload(token, payload), services.blocking())
                .thenCompose(f -> f)
                .whenComplete((result, error) -> services.requests()
                        .respond(
                                exchange,
                                error != null
                                        ? new IngestResult.Failed("internal error", Duration.ofSeconds(1))
                                        : result))
                .whenComplete((result, error) -> services.inFlight().end());
    }

    private CompletableFuture<IngestResult> upload(String token, byte[] payload) {
        Optional<DeviceEdge.Login> login = services.requests().login(token);
        if (login.isEmpty()) {
            return CompletableFuture.completedFuture(null); // null: bad credentials
        }
        return kind.apply(login.get().device(), payload);
    }
}
