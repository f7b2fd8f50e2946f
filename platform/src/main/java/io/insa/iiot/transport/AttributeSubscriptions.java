package io.insa.iiot.transport;

import io.insa.iiot.device.SharedAttributesChanged;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Who is told when a device's shared attributes change: connections of the device that subscribed
 * (an MQTT subscription, a CoAP observation, an HTTP long poll), and connections of its gateway that
 * subscribed for their sub-devices. Changes are those committed on this node.
 */
@Component
public class AttributeSubscriptions {

    /** A subscription; closing it ends it. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final Map<UUID, Set<Consumer<SharedAttributesChanged>>> ofDevice = new ConcurrentHashMap<>();
    private final Map<UUID, Set<Consumer<SharedAttributesChanged>>> ofGateway = new ConcurrentHashMap<>();

    /** The device's own changes go to {@code listener}. */
    public Subscription device(UUID deviceId, Consumer<SharedAttributesChanged> listener) {
        return add(ofDevice, deviceId, listener);
    }

    /** Changes of every device the gateway writes for go to {@code listener}. */
    public Subscription gateway(UUID gatewayId, Consumer<SharedAttributesChanged> listener) {
        return add(ofGateway, gatewayId, listener);
    }

    /** Whether a connection on this node listens to the device's own changes. */
    public boolean listensTo(UUID deviceId) {
        return ofDevice.containsKey(deviceId);
    }

    @EventListener
    void changed(SharedAttributesChanged change) {
        ofDevice.getOrDefault(change.deviceId(), Set.of()).forEach(l -> l.accept(change));
        if (change.gatewayId() != null) {
            ofGateway.getOrDefault(change.gatewayId(), Set.of()).forEach(l -> l.accept(change));
        }
    }

    private static Subscription add(
            Map<UUID, Set<Consumer<SharedAttributesChanged>>> registry,
            UUID id,
            Consumer<SharedAttributesChanged> listener) {
        registry.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(listener);
        return () -> registry.computeIfPresent(id, (k, listeners) -> {
            listeners.remove(listener);
            return listeners.isEmpty() ? null : listeners;
        });
    }
}
