package io.insa.iiot.shared;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.Consumer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Connections of their own on the platform's database, outside the pool, for what lives as long as a
 * connection does: listening on a channel ({@link ChannelListener}) and holding session-level locks.
 */
@Component
public class DedicatedConnections {

    private final String url;
    private final String username;
    private final String password;

    DedicatedConnections(
            @Value("${spring.datasource.url}") String url,
            @Value("${spring.datasource.username}") String username,
            @Value("${spring.datasource.password}") String password) {
        this.url = url;
        this.username = username;
        this.password = password;
    }

    /** A new connection, named {@code applicationName} in {@code pg_stat_activity}. */
    public Connection open(String applicationName) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", username);
        properties.setProperty("password", password);
        properties.setProperty("ApplicationName", applicationName);
        properties.setProperty("tcpKeepAlive", "true");
        // no read waits longer on a peer that vanished (getNotifications sets its own shorter one)
        properties.setProperty("socketTimeout", "30");
        return DriverManager.getConnection(url, properties);
    }

    /** A listener of {@code channel}, not started yet (see {@link ChannelListener}). */
    public ChannelListener listener(
            String channel, String applicationName, Consumer<String> onNotification, Runnable onListening) {
        return new ChannelListener(channel, () -> open(applicationName), onNotification, onListening);
    }
}
