package io.insa.iiot.shared;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears what the other nodes announce on a PostgreSQL channel (NOTIFY): one connection of its own
 * LISTENs and hands each payload to its owner. When the connection drops it reconnects, backing off
 * up to {@value #MAX_BACKOFF_MILLIS} ms, and tells its owner it listens afresh ({@code onListening}),
 * since notifications may have been missed meanwhile.
 */
public final class ChannelListener {

    static final long MAX_BACKOFF_MILLIS = 5_000;
    private static final int POLL_MILLIS = 1_000;
    private static final long HEARTBEAT_NANOS = Duration.ofSeconds(10).toNanos();
    private static final Logger log = LoggerFactory.getLogger(ChannelListener.class);

    /** Opens the listener's connection. */
    interface Connector {
        Connection open() throws SQLException;
    }

    private final String channel;
    private final Connector connector;
    private final Consumer<String> onNotification;
    private final Runnable onListening;
    private final CountDownLatch listening = new CountDownLatch(1);
    private volatile boolean running;
    private Thread listener;

    /**
     * @param onNotification gets each payload on the listener's thread; what it throws is logged
     * @param onListening runs each time the listener has (re)subscribed, before any payload it hears
     */
    ChannelListener(String channel, Connector connector, Consumer<String> onNotification, Runnable onListening) {
        this.channel = channel;
        this.connector = connector;
        this.onNotification = onNotification;
        this.onListening = onListening;
    }

    /** Starts listening, and waits up to {@code firstSubscription} for it to begin. */
    public void start(Duration firstSubscription) {
        running = true;
        listener = Thread.ofPlatform().name(channel + "-listener").daemon(true).start(this::listen);
        try {
            if (!listening.await(firstSubscription.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("not yet listening on {}; still trying", channel);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void stop() {
        running = false;
        try {
            listener.join(2L * POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isRunning() {
        return running;
    }

    private void listen() {
        long backoff = 250;
        while (running) {
            try (Connection connection = connector.open()) {
                subscribe(connection);
                onListening.run();
                listening.countDown();
                backoff = 250;
                receive(connection);
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                log.warn("listener of {} lost its database connection ({}); reconnecting", channel, e.toString());
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
                        onNotification.accept(notification.getParameter());
                    } catch (RuntimeException e) { // the connection is fine: keep listening
                        log.warn("could not apply notification {} of {}", notification.getParameter(), channel, e);
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

    private void subscribe(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(5);
            statement.execute("LISTEN " + channel);
        }
    }
}
