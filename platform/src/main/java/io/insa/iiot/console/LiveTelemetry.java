package io.insa.iiot.console;

import io.insa.iiot.telemetry.Point;
import io.insa.iiot.telemetry.TelemetryCommitted;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Live charts: committed points of a device pushed to the browsers watching it, as Server-Sent
 * Events. The ingest writer only hands the points over; sending happens on virtual threads, so a slow
 * browser never holds ingestion up.
 */
@Component
class LiveTelemetry implements SmartLifecycle {

    private static final Duration OPEN_FOR = Duration.ofMinutes(30);

    private record Watcher(SseEmitter emitter, String key) {}

    private final Map<UUID, Set<Watcher>> watchers = new ConcurrentHashMap<>();
    private final ExecutorService sending = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean running;

    @Override
    public void start() {
        running = true;
    }

    /**
     * Ends every open stream before the web server's graceful shutdown, which would otherwise wait its
     * whole timeout for streams that never end by themselves (browsers reconnect to another node).
     */
    @Override
    public void stop() {
        running = false;
        watchers.values()
                .forEach(set -> set.forEach(watcher -> watcher.emitter().complete()));
        watchers.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** A stream of the devices' points of the key; the caller has checked the devices are the user's to see. */
    SseEmitter watch(Collection<UUID> devices, String key) {
        SseEmitter emitter = new SseEmitter(OPEN_FOR.toMillis());
        Watcher watcher = new Watcher(emitter, key);
        for (UUID device : devices) {
            watchers.computeIfAbsent(device, d -> ConcurrentHashMap.newKeySet()).add(watcher);
        }
        Runnable forget = () -> devices.forEach(device -> watchers.computeIfPresent(device, (d, set) -> {
            set.remove(watcher);
            return set.isEmpty() ? null : set;
        }));
        emitter.onCompletion(forget);
        emitter.onTimeout(forget);
        emitter.onError(e -> forget.run());
        return emitter;
    }

    @EventListener
    void onCommitted(TelemetryCommitted committed) {
        if (watchers.isEmpty()) {
            return;
        }
        for (TelemetryCommitted.DevicePoints message : committed.messages()) {
            Set<Watcher> watching = watchers.get(message.device().deviceId());
            if (watching == null) {
                continue;
            }
            for (Point point : message.points()) {
                Double value = point.value().asNumber();
                if (value == null) {
                    continue;
                }
                String data = "{\"device_id\":\"" + message.device().deviceId() + "\",\"ts\":"
                        + point.ts().toEpochMilli() + ",\"value\":" + value + "}";
                for (Watcher watcher : watching) {
                    if (watcher.key().equals(point.key())) {
                        sending.submit(() -> send(watcher.emitter(), data));
                    }
                }
            }
        }
    }

    private static void send(SseEmitter emitter, String data) {
        try {
            emitter.send(SseEmitter.event().name("point").data(data, MediaType.APPLICATION_JSON));
        } catch (IOException | IllegalStateException e) {
            emitter.completeWithError(e);
        }
    }
}
