package io.insa.iiot.device;

import io.insa.iiot.device.DeviceAccessChanged.Change;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
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
 * <p>When the listening connection drops, it reconnects (backing off up to
 * {@value #MAX_BACKOFF_MILLIS} ms) and drops the whole credential cache, since changes may have been
 * missed meanwhile.
 */
@Component
class DeviceAccessChanges implements SmartLifecycle {

    static final String CHANNEL = "insa_device_access";
    /** Names a {@link CertificateTrustChanged} in a notification, where a device change has its kind. */
    static final String TRUST = "TRUST";

    static final String APPLICATION_NAME = "insa-device-access";
    static final long MAX_BACKOFF_MILLIS = 5_000;
    private static final int POLL_MILLIS = 1_000;
    private static final long HEARTBEAT_NANOS = Duration.ofSeconds(10).toNanos();
    private static final Logger log = LoggerFactory.getLogger(DeviceAccessChanges.class);

    private final JdbcClient jdbc;
    private final DeviceAuthCache cache;
    private final ApplicationEventPublisher events;
    private final String url;
    private final Properties connectionProperties = new Properties();
    /** Names this node in its notifications: it applies its own changes without waiting for them. */
    private final String node = UUID.randomUUID().toString();

    private final CountDownLatch listening = new CountDownLatch(1);
    private volatile boolean running;
    private Thread listener;

    DeviceAccessChanges(
            JdbcClient jdbc,
            DeviceAuthCache cache,
            ApplicationEventPublisher events,
            @Value("${spring.datasource.url}") String url,
            @Value("${spring.datasource.username}") String username,
            @Value("${spring.datasource.password}") String password) {
        this.jdbc = jdbc;
        this.cache = cache;
        this.events = events;
        this.url = url;
        connectionProperties.setProperty("user", username);
        connectionProperties.setProperty("password", password);
        connectionProperties.setProperty("ApplicationName", APPLICATION_NAME);
        connectionProperties.setProperty("tcpKeepAlive", "true");
        // no read waits longer on a peer that vanished (getNotifications sets its own shorter one)
        connectionProperties.setProperty("socketTimeout", "30");
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
        running = true;
        listener =
                Thread.ofPlatform().name("device-access-listener").daemon(true).start(this::listen);
        try {
            if (!listening.await(10, TimeUnit.SECONDS)) {
                log.warn("not yet listening for device access changes of other nodes; still trying");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        running = false;
        try {
            listener.join(2L * POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        long backoff = 250;
        while (running) {
            try (Connection connection = DriverManager.getConnection(url, connectionProperties)) {
                subscribe(connection);
                cache.revokedAll(); // whatever changed while nobody listened
                listening.countDown();
                backoff = 250;
                receive(connection);
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                log.warn("device access listener lost its database connection ({}); reconnecting", e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private void receive(Connection connection) throws SQLException {
        PGConnection postgres = connection.unwrap(PGConnection.class);
        long quietSince = System.nanoTime();
        while (running) {
            PGNotification[] notifications = postgres.getNotifications(POLL_MILLIS);
            if (notifications != null && notifications.length > 0) {
                for (PGNotification notification : notifications) {
                    try {
                        received(notification.getParameter());
                    } catch (RuntimeException e) { // the connection is fine: keep listening
                        log.warn("could not apply device access change {}", notification.getParameter(), e);
                    }
                }
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > HEARTBEAT_NANOS) {
                // a connection whose peer vanished without a word reads nothing forever; LISTEN
                // again is harmless and fails (or times out) on a dead one
                subscribe(connection);
                quietSince = System.nanoTime();
            }
        }
    }

    private static void subscribe(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(5);
            statement.execute("LISTEN " + CHANNEL);
        }
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
