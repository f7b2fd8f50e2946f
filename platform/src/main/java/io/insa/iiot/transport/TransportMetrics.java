package io.insa.iiot.transport;

import io.insa.iiot.ingest.IngestResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What each transport reports (SPEC 12): open connections, connections slowed down (MQTT reads
 * paused, AMQP links left without credit), messages by outcome (accepted, the refusal's reason,
 * failed, busy: refused at once because the ingest queue is high, too_large: over a size limit) and
 * refused connections, all
 * tagged with the transport.
 */
public final class TransportMetrics {

    private final MeterRegistry registry;
    private final String transport;
    private final AtomicInteger paused = new AtomicInteger();
    /** by outcome: looked up once, as building a meter's id for every message costs more than the count */
    private final Map<String, Counter> messages = new ConcurrentHashMap<>();

    /** @param connections the transport's open connections, or null for a connectionless one */
    public TransportMetrics(MeterRegistry registry, String transport, Collection<?> connections) {
        this.registry = registry;
        this.transport = transport;
        if (connections != null) {
            registry.gauge(
                    "insa.transport.connections", Tags.of("transport", transport), connections, Collection::size);
            registry.gauge("insa.transport.connections.paused", Tags.of("transport", transport), paused);
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
        messages(outcome).increment();
    }

    /** A message refused before admission because the ingest queue is high (HTTP 503, CoAP 5.03). */
    public void busy() {
        messages("busy").increment();
    }

    /** A message over the transport's size limit, refused before it was read whole (MQTT: DISCONNECT 0x95). */
    public void tooLarge() {
        messages("too_large").increment();
    }

    private Counter messages(String outcome) {
        return messages.computeIfAbsent(
                outcome, o -> registry.counter("insa.transport.messages", "transport", transport, "outcome", o));
    }

    /** A connection (MQTT) or link (AMQP) stopped taking messages to slow its sender down. */
    public void paused() {
        paused.incrementAndGet();
    }

    public void resumed() {
        paused.decrementAndGet();
    }

    public void refusedConnection(String reason) {
        registry.counter("insa.transport.connections.refused", "transport", transport, "reason", reason)
                .increment();
    }
}
