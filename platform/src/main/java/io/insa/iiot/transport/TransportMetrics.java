package io.insa.iiot.transport;

import io.insa.iiot.ingest.IngestResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Collection;
import java.util.Locale;

/**
 * What each transport reports (SPEC 12): open connections, messages by outcome (accepted, the
 * refusal's reason, failed) and refused connections, all tagged with the transport.
 */
public final class TransportMetrics {

    private final MeterRegistry registry;
    private final String transport;

    /** @param connections the transport's open connections, or null for a connectionless one */
    public TransportMetrics(MeterRegistry registry, String transport, Collection<?> connections) {
        this.registry = registry;
        this.transport = transport;
        if (connections != null) {
            registry.gauge(
                    "insa.transport.connections", Tags.of("transport", transport), connections, Collection::size);
        }
    }

    public void message(IngestResult result) {
        String outcome = switch (result) {
            case IngestResult.Accepted accepted -> "accepted";
            case IngestResult.Rejected rejected ->
                rejected.reason() == null
                        ? "not_authorized"
                        : rejected.reason().name().toLowerCase(Locale.ROOT);
            case IngestResult.Failed failed -> "failed";
        };
        registry.counter("insa.transport.messages", "transport", transport, "outcome", outcome)
                .increment();
    }

    public void refusedConnection(String reason) {
        registry.counter("insa.transport.connections.refused", "transport", transport, "reason", reason)
                .increment();
    }
}
