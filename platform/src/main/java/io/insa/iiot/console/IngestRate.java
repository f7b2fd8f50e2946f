package io.insa.iiot.console;

import io.insa.iiot.telemetry.TelemetryCommitted;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Points committed per second for each tenant, over the last ten seconds, for the dashboard. Counted
 * from the commits this node makes, in one-second slots, so the writer's thread only adds a number.
 */
@Component
class IngestRate {

    static final int WINDOW_S = 10;

    private record Slots(AtomicLongArray counts, AtomicLongArray seconds) {
        Slots() {
            this(new AtomicLongArray(WINDOW_S + 1), new AtomicLongArray(WINDOW_S + 1));
        }
    }

    private final Map<UUID, Slots> tenants = new ConcurrentHashMap<>();
    private final Clock clock;

    IngestRate(Clock clock) {
        this.clock = clock;
    }

    @EventListener
    void onCommitted(TelemetryCommitted committed) {
        long second = clock.millis() / 1000;
        for (TelemetryCommitted.DevicePoints message : committed.messages()) {
            Slots slots = tenants.computeIfAbsent(message.device().tenantId().value(), t -> new Slots());
            int slot = (int) (second % slots.counts().length());
            if (slots.seconds().getAndSet(slot, second) != second) {
                slots.counts().set(slot, 0); // a slot reused for a new second starts again
            }
            slots.counts().addAndGet(slot, message.points().size());
        }
    }

    /** The tenant's points per second over the last {@link #WINDOW_S} whole seconds. */
    double perSecond(UUID tenant) {
        Slots slots = tenants.get(tenant);
        if (slots == null) {
            return 0;
        }
        long now = clock.millis() / 1000;
        long sum = 0;
        for (int i = 0; i < slots.counts().length(); i++) {
            long second = slots.seconds().get(i);
            if (second < now && second >= now - WINDOW_S) {
                sum += slots.counts().get(i);
            }
        }
        return sum / (double) WINDOW_S;
    }
}
