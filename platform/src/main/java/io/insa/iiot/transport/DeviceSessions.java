package io.insa.iiot.transport;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.insa.iiot.device.DeviceAccessChanged;
import io.insa.iiot.device.DeviceAccessChanged.Change;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * What devices hold open on this node, so that it ends when who may act as the device changes on any
 * node ({@link DeviceAccessChanged}, SPEC 2): connections and observations opened with credentials
 * that were revoked, and a gateway's right to write for a sub-device. Like command channels,
 * transports register while a session lasts.
 *
 * <p>A session is registered only after its device was authenticated, so a change may land in
 * between: a transport takes a {@link #stamp()} before authenticating, and a registration made with
 * a stamp older than a change of its device ends at once.
 */
@Component
public class DeviceSessions {

    /** A registered session; closing it unregisters it. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** One session: ended once, by whichever of the change and the registration sees the other. */
    private final class Session implements Registration {
        final UUID deviceId;
        final Predicate<Change> endedBy;
        final Runnable end;
        final AtomicBoolean ended = new AtomicBoolean();

        Session(UUID deviceId, Predicate<Change> endedBy, Runnable end) {
            this.deviceId = deviceId;
            this.endedBy = endedBy;
            this.end = end;
        }

        void end() {
            if (ended.compareAndSet(false, true)) {
                try {
                    end.run();
                } catch (RuntimeException e) { // one session must not keep the others open
                    log.warn("could not end a session of device {}", deviceId, e);
                }
            }
        }

        @Override
        public void close() {
            sessions.computeIfPresent(deviceId, (id, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }
    }

    private record Seen(UUID deviceId, Change change) {}

    private static final Logger log = LoggerFactory.getLogger(DeviceSessions.class);

    private final AtomicLong changes = new AtomicLong();
    private final Map<UUID, Set<Session>> sessions = new ConcurrentHashMap<>();
    /** Changes of the last minutes, by device: longer than any authentication takes. */
    private final Cache<Seen, Long> recent =
            Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(5)).build();

    /** Taken before authenticating a device, and given to the registration of its session. */
    public long stamp() {
        return changes.get();
    }

    /**
     * A session the device opened with its own credentials (a connection, an observation, a long
     * poll): {@code end} runs, on any thread, when they are revoked or the device is deleted.
     */
    public Registration credentialsOf(UUID deviceId, long stamp, Runnable end) {
        return register(deviceId, stamp, Change::endsSessions, end);
    }

    /**
     * A gateway's right to write for one of its sub-devices: {@code end} runs when the device is
     * deleted or assigned to another gateway or to none.
     */
    public Registration subDevice(UUID deviceId, long stamp, Runnable end) {
        return register(deviceId, stamp, Change::endsGatewayAccess, end);
    }

    private Registration register(UUID deviceId, long stamp, Predicate<Change> endedBy, Runnable end) {
        Session session = new Session(deviceId, endedBy, end);
        sessions.compute(deviceId, (id, set) -> {
            Set<Session> ofDevice = set == null ? ConcurrentHashMap.newKeySet() : set;
            ofDevice.add(session);
            return ofDevice;
        });
        for (Change change : Change.values()) {
            Long at = recent.getIfPresent(new Seen(deviceId, change));
            if (at != null && at > stamp && endedBy.test(change)) {
                session.end(); // changed after the device was authenticated, before it was registered
            }
        }
        return session;
    }

    @EventListener
    void changed(DeviceAccessChanged change) {
        recent.put(new Seen(change.deviceId(), change.change()), changes.incrementAndGet());
        Set<Session> ofDevice = sessions.get(change.deviceId());
        if (ofDevice != null) {
            ofDevice.stream().filter(s -> s.endedBy.test(change.change())).forEach(Session::end);
        }
    }
}
