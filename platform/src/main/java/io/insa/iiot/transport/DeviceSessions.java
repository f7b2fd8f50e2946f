package io.insa.iiot.transport;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.insa.iiot.device.CertificateLogin;
import io.insa.iiot.device.CertificateTrustChanged;
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
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * What devices hold open on this node, so that it ends when who may act as the device changes on any
 * node ({@link DeviceAccessChanged}, SPEC 2): connections and observations opened with credentials
 * that were revoked, and a gateway's right to write for a sub-device; and connections opened with
 * an X.509 certificate, when it is unregistered, or the CA it chained to is deleted or revokes one of
 * its serial numbers ({@link CertificateTrustChanged}). Like command channels, transports register
 * while a session lasts.
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
        /** The CA a certificate session's chain ends at, and the serial numbers on the way; else null. */
        final CertificateLogin certificate;

        final Runnable end;
        final AtomicBoolean ended = new AtomicBoolean();

        Session(UUID deviceId, Predicate<Change> endedBy, CertificateLogin certificate, Runnable end) {
            this.deviceId = deviceId;
            this.endedBy = endedBy;
            this.certificate = certificate;
            this.end = end;
        }

        boolean endedBy(CertificateTrustChanged change) {
            return certificate != null
                    && change.caId().equals(certificate.caId())
                    && (change.serialNumber() == null || certificate.serials().contains(change.serialNumber()));
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
            if (certificate != null && certificate.caId() != null) {
                byCa.computeIfPresent(certificate.caId(), (id, set) -> {
                    set.remove(this);
                    return set.isEmpty() ? null : set;
                });
            }
        }
    }

    private record Seen(UUID deviceId, Change change) {}

    /** A CA change: {@code serialNumber} empty when it concerns every certificate of the CA. */
    private record TrustSeen(UUID caId, String serialNumber) {}

    private static final Logger log = LoggerFactory.getLogger(DeviceSessions.class);

    private final AtomicLong changes = new AtomicLong();
    private final Map<UUID, Set<Session>> sessions = new ConcurrentHashMap<>();
    /** Certificate sessions by the CA their chain ends at. */
    private final Map<UUID, Set<Session>> byCa = new ConcurrentHashMap<>();
    /** Changes of the last minutes, by device: longer than any authentication takes. */
    private final Cache<Seen, Long> recent =
            Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(5)).build();

    private final Cache<TrustSeen, Long> recentTrust =
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
        return register(deviceId, stamp, Change::endsSessions, null, end);
    }

    /**
     * A connection the device opened with an X.509 certificate: {@code end} runs when the device is
     * deleted, its registered certificate (when that vouched) is removed or replaced, or the CA its
     * chain ends at is deleted or revokes a serial number of the chain.
     */
    public Registration certificateOf(CertificateLogin login, long stamp, Runnable end) {
        Predicate<Change> endedBy =
                login.registered() ? Change::endsRegisteredCertificateSessions : change -> change == Change.DELETED;
        return register(login.device().deviceId(), stamp, endedBy, login, end);
    }

    /**
     * A gateway's right to write for one of its sub-devices: {@code end} runs when the device is
     * deleted or assigned to another gateway or to none.
     */
    public Registration subDevice(UUID deviceId, long stamp, Runnable end) {
        return register(deviceId, stamp, Change::endsGatewayAccess, null, end);
    }

    private Registration register(
            UUID deviceId, long stamp, Predicate<Change> endedBy, CertificateLogin certificate, Runnable end) {
        Session session = new Session(deviceId, endedBy, certificate, end);
        sessions.compute(deviceId, (id, set) -> add(set, session));
        for (Change change : Change.values()) {
            Long at = recent.getIfPresent(new Seen(deviceId, change));
            if (at != null && at > stamp && endedBy.test(change)) {
                session.end(); // changed after the device was authenticated, before it was registered
            }
        }
        if (certificate != null && certificate.caId() != null) {
            byCa.compute(certificate.caId(), (id, set) -> add(set, session));
            Stream.concat(Stream.of(""), certificate.serials().stream())
                    .map(serial -> recentTrust.getIfPresent(new TrustSeen(certificate.caId(), serial)))
                    .filter(at -> at != null && at > stamp)
                    .findAny()
                    .ifPresent(at -> session.end());
        }
        return session;
    }

    private static Set<Session> add(Set<Session> set, Session session) {
        Set<Session> of = set == null ? ConcurrentHashMap.newKeySet() : set;
        of.add(session);
        return of;
    }

    @EventListener
    void changed(DeviceAccessChanged change) {
        recent.put(new Seen(change.deviceId(), change.change()), changes.incrementAndGet());
        Set<Session> ofDevice = sessions.get(change.deviceId());
        if (ofDevice != null) {
            ofDevice.stream().filter(s -> s.endedBy.test(change.change())).forEach(Session::end);
        }
    }

    @EventListener
    void trustChanged(CertificateTrustChanged change) {
        String serial = change.serialNumber() == null ? "" : change.serialNumber();
        recentTrust.put(new TrustSeen(change.caId(), serial), changes.incrementAndGet());
        Set<Session> ofCa = byCa.get(change.caId());
        if (ofCa != null) {
            ofCa.stream().filter(s -> s.endedBy(change)).forEach(Session::end);
        }
    }
}
