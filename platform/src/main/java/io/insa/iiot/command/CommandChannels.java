package io.insa.iiot.command;

import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Consumer;
import org.springframework.stereotype.Component;

/**
 * Where a command for a device can go right now: each transport registers a channel while the
 * device listens (an MQTT subscription, an AMQP command link, an HTTP long poll), and the most
 * recent one is used. Commands are not queued for offline devices.
 */
@Component
public class CommandChannels {

    /** A registered channel; closing it unregisters it. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private final Map<UUID, Deque<Consumer<DeviceCommand>>> channels = new ConcurrentHashMap<>();

    public Registration register(UUID deviceId, Consumer<DeviceCommand> channel) {
        channels.computeIfAbsent(deviceId, id -> new ConcurrentLinkedDeque<>()).addFirst(channel);
        return () -> channels.computeIfPresent(deviceId, (id, deque) -> {
            deque.remove(channel);
            return deque.isEmpty() ? null : deque;
        });
    }

    Optional<Consumer<DeviceCommand>> channelOf(UUID deviceId) {
        Deque<Consumer<DeviceCommand>> deque = channels.get(deviceId);
        return deque == null ? Optional.empty() : Optional.ofNullable(deque.peekFirst());
    }
}
