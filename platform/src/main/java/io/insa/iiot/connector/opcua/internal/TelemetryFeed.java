package io.insa.iiot.connector.opcua.internal;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import tools.jackson.databind.json.JsonMapper;

/**
 * A connector's values on their way into the ingest pipeline: gathered per device as they arrive, and every 100 ms
 * sent as one message per device (the keys' quality as attributes when one is uncertain); it counts the values per
 * second for the status, and tells the session why values were not stored.
 */
final class TelemetryFeed {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Ingest ingest;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService work;
    private final MappedDevices devices;
    private final Consumer<String> problems;
    private final Map<String, List<ValueMapping.Point>> pending = new LinkedHashMap<>();
    private volatile Instant lastValueAt;
    private volatile double valuesPerSecond;
    private long valuesThisSecond;
    private long secondStarted = System.nanoTime();
    private ScheduledFuture<?> flusher;

    /** {@code problems}: where a message about values that were not stored goes (the session's last error). */
    TelemetryFeed(
            Ingest ingest,
            ScheduledExecutorService scheduler,
            ExecutorService work,
            MappedDevices devices,
            Consumer<String> problems) {
        this.ingest = ingest;
        this.scheduler = scheduler;
        this.work = work;
        this.devices = devices;
        this.problems = problems;
    }

    synchronized void start() {
        flusher = scheduler.scheduleWithFixedDelay(this::flushSoon, 100, 100, TimeUnit.MILLISECONDS);
    }

    synchronized void stop() {
        if (flusher != null) {
            flusher.cancel(false);
        }
    }

    Instant lastValueAt() {
        return lastValueAt;
    }

    double valuesPerSecond() {
        return valuesPerSecond;
    }

    /** A value for the device's next message; called on Milo's delivery thread. */
    void add(String deviceName, ValueMapping.Point point) {
        synchronized (pending) {
            pending.computeIfAbsent(deviceName, d -> new ArrayList<>()).add(point);
        }
        lastValueAt = Instant.now();
        count();
    }

    private synchronized void count() {
        valuesThisSecond++;
        long now = System.nanoTime();
        if (now - secondStarted >= 1_000_000_000L) {
            double seconds = (now - secondStarted) / 1e9;
            valuesPerSecond = valuesThisSecond / seconds;
            valuesThisSecond = 0;
            secondStarted = now;
        }
    }

    private void flushSoon() {
        boolean any;
        synchronized (pending) {
            any = !pending.isEmpty();
        }
        if (any) {
            work.submit(this::flush);
        }
    }

    /** One message per device with the values gathered since the last flush, through the ingest pipeline. */
    private void flush() {
        Map<String, List<ValueMapping.Point>> batch;
        synchronized (pending) {
            if (pending.isEmpty()) {
                return;
            }
            batch = new LinkedHashMap<>(pending);
            pending.clear();
        }
        batch.forEach((deviceName, points) -> {
            DeviceIdentity device;
            try {
                device = devices.device(deviceName);
            } catch (RuntimeException e) {
                problems.accept("values of device '" + deviceName + "' not stored: " + e.getMessage());
                return;
            }
            List<Map<String, Object>> messages = new ArrayList<>(points.size());
            Map<String, String> quality = new LinkedHashMap<>();
            for (ValueMapping.Point p : points) {
                messages.add(Map.of("ts", p.ts().toEpochMilli(), "values", Map.of(p.key(), p.value())));
                quality.put(p.key() + ".quality", p.uncertain() ? "uncertain" : "good");
            }
            ingest.telemetry(device, JSON.writeValueAsBytes(messages)).thenAccept(result -> {
                switch (result) {
                    case IngestResult.Accepted accepted -> {}
                    case IngestResult.Rejected rejected ->
                        problems.accept("values of device '" + deviceName + "' not stored: " + rejected.reason() + ": "
                                + rejected.detail());
                    case IngestResult.Failed failed ->
                        problems.accept(
                                "values of device '" + deviceName + "' not stored (retry later): " + failed.detail());
                }
            });
            if (quality.containsValue("uncertain")) {
                ingest.attributes(device, JSON.writeValueAsBytes(quality));
            }
        });
    }
}
