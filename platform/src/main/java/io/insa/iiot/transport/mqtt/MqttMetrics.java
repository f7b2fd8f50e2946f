package io.insa.iiot.transport.mqtt;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;

/** Connections, messages and refusals of the MQTT transport. */
final class MqttMetrics {

    private final MeterRegistry registry;

    MqttMetrics(MeterRegistry registry, Collection<?> sessions) {
        this.registry = registry;
        registry.gauge(
                "insa.transport.connections",
                io.micrometer.core.instrument.Tags.of("transport", "mqtt"),
                sessions,
                Collection::size);
    }

    void message(String outcome) {
        registry.counter("insa.transport.messages", "transport", "mqtt", "outcome", outcome)
                .increment();
    }

    void refusedConnection(String reason) {
        registry.counter("insa.transport.connections.refused", "transport", "mqtt", "reason", reason)
                .increment();
    }
}
