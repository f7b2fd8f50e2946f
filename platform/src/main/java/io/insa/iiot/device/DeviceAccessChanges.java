package io.insa.iiot.device;

import io.insa.iiot.device.DeviceAccessChanged.Change;
import io.insa.iiot.shared.ChannelListener;
import io.insa.iiot.shared.DedicatedConnections;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Tells every node that who may act as a device changed (SPEC 2: caches and sessions holding
 * credentials are invalidated on every node, not only the local one). The changing transaction sends
 * a PostgreSQL NOTIFY, which the database delivers only if and when it commits; this node applies its
 * own change right after its commit, and one dedicated connection per node listens for the others'.
 * Applying a change evicts the credential cache and publishes {@link DeviceAccessChanged}, on which
 * the transports end the sessions concerned; a CA that vouches for less ({@link
 * CertificateTrustChanged}) travels the same way.
 *
 * <p>When the listening connection drops, it reconnects ({@link ChannelListener}) and drops the whole
 * credential cache, since changes may have been missed meanwhile.
 */
@Component
class DeviceAccessChanges implements SmartLifecycle {

    static final String CHANNEL = "insa_device_access";
    /** Names a {@link CertificateTrustChanged} in a notification, where a device change has its kind. */
    static final String TRUST = "TRUST";

    static final String APPLICATION_NAME = "insa-device-access";
    private static final Logger log = LoggerFactory.getLogger(DeviceAccessChanges.class);

    private final JdbcClient jdbc;
    private final DeviceAuthCache cache;
    private final ApplicationEventPublisher events;
    private final ChannelListener listener;
    /** Names this node in its notifications: it applies its own changes without waiting for them. */
    private final String node = UUID.randomUUID().toString();

    DeviceAccessChanges(
            JdbcClient jdbc, DeviceAuthCache cache, ApplicationEventPublisher events, DedicatedConnections channels) {
        this.jdbc = jdbc;
        this.cache = cache;
        this.events = events;
        // whatever changed while nobody listened is forgotten: the whole cache goes
        this.listener = channels.listener(CHANNEL, APPLICATION_NAME, this::received, cache::revokedAll);
    }

    /** Inside the changing transaction: every node applies the change once it commits, none if it does not. */
    void announce(DeviceAccessChanged change) {
        notifyNodes(
                change.change().name(),
                change.tenantId().value().toString(),
                change.deviceId().toString());
        TenantTransactions.afterCommit(() -> apply(change));
    }

    /** Inside the changing transaction, like {@link #announce(DeviceAccessChanged)}. */
    void announce(CertificateTrustChanged change) {
        notifyNodes(
                TRUST,
                change.tenantId().value().toString(),
                change.caId().toString(),
                change.serialNumber() == null ? "" : change.serialNumber());
        TenantTransactions.afterCommit(() -> events.publishEvent(change));
    }

    /** One notification to every node (this one included, which ignores its own): its name first, then the words. */
    private void notifyNodes(String... words) {
        String payload = node + " " + String.join(" ", words);
        jdbc.sql("SELECT pg_notify(?, ?)").params(CHANNEL, payload.strip()).query(rs -> {});
    }

    private void apply(DeviceAccessChanged change) {
        if (change.change().endsSessions()) {
            cache.revoked(change.deviceId());
        }
        events.publishEvent(change);
    }

    /** Starts listening before the transports take connections, and stops after them. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096; // the web server starts at - 2048
    }

    @Override
    public void start() {
        listener.start(Duration.ofSeconds(10));
    }

    @Override
    public void stop() {
        listener.stop();
    }

    @Override
    public boolean isRunning() {
        return listener.isRunning();
    }

    /** {@code <node> <change> <tenant> <device>}, or {@code <node> TRUST <tenant> <ca> [<serial>]}. */
    private void received(String payload) {
        String[] parts = payload.split(" ");
        boolean trust = parts.length >= 2 && parts[1].equals(TRUST);
        if (trust ? parts.length != 4 && parts.length != 5 : parts.length != 4) {
            log.warn("ignored a malformed device access notification: {}", payload);
            return;
        }
        if (parts[0].equals(node)) {
            return; // applied after our own commit already
        }
        if (trust) {
            try {
                events.publishEvent(new CertificateTrustChanged(
                        TenantId.of(UUID.fromString(parts[2])),
                        UUID.fromString(parts[3]),
                        parts.length == 5 ? parts[4] : null));
            } catch (IllegalArgumentException e) {
                log.warn("ignored a malformed device access notification: {}", payload);
            }
            return;
        }
        DeviceAccessChanged change;
        try {
            change = new DeviceAccessChanged(
                    TenantId.of(UUID.fromString(parts[2])), UUID.fromString(parts[3]), Change.valueOf(parts[1]));
        } catch (IllegalArgumentException e) {
            log.warn("ignored a malformed device access notification: {}", payload);
            return;
        }
        apply(change);
    }
}
