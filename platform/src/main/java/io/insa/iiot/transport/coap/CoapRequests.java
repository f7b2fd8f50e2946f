package io.insa.iiot.transport.coap;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.transport.DeviceEdge;
import io.insa.iiot.transport.TransportMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * What every resource of the CoAP device API reads from a request and how it answers: the device
 * named by the token in the path ({@code /api/v1/{token}/...}), query parameters, and the answer to
 * an upload's outcome (2.04, or the refusal with its reason as a diagnostic payload), and the limits a
 * request answered rather than stored passes.
 */
final class CoapRequests {

    private final DeviceEdge edge;
    private final Ingest ingest;
    private final TransportMetrics metrics;

    CoapRequests(DeviceEdge edge, Ingest ingest, TransportMetrics metrics) {
        this.edge = edge;
        this.ingest = ingest;
        this.metrics = metrics;
    }

    /**
     * A request answered rather than stored (attribute request, client-side RPC) passes the limits of
     * a message; when it does not, the refusal is answered here: true.
     */
    boolean refused(CoapExchange exchange, DeviceIdentity device) {
        Optional<IngestResult> refusal = ingest.admitRequest(device);
        refusal.ifPresent(r -> respond(exchange, r));
        return refusal.isPresent();
    }

    /**
     * The device the path's token names; when it names none, the request is answered 4.01 here. The
     * request runs on a virtual thread already: the lookup may wait.
     */
    Optional<DeviceEdge.Login> loginOrRefuse(CoapExchange exchange) {
        Optional<DeviceEdge.Login> login = login(token(exchange));
        if (login.isEmpty()) {
            unauthorized(exchange);
        }
        return login;
    }

    Optional<DeviceEdge.Login> login(String token) {
        return edge.authenticateHere(new DeviceEdge.AccessToken(token));
    }

    /** The token of a request to /api/v1/{token}/... */
    static String token(CoapExchange exchange) {
        List<String> path = exchange.getRequestOptions().getUriPath();
        return path.size() > 2 ? path.get(2) : null;
    }

    /** A query parameter's values, comma-separated or repeated, under either of its names. */
    static String query(CoapExchange exchange, String name, String alias) {
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

    private static void unauthorized(CoapExchange exchange) {
        exchange.respond(ResponseCode.UNAUTHORIZED, "unknown device token");
    }

    /** The answer to an upload; null: the token named no device. */
    void respond(CoapExchange exchange, IngestResult result) {
        if (result != null) {
            metrics.message(result);
        }
        switch (result) {
            case null -> unauthorized(exchange);
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
