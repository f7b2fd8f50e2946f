package io.insa.iiot.shared;

import java.util.function.Consumer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Opens {@link ChannelListener}s on the platform's database, with its own credentials. */
@Component
public class DatabaseChannels {

    private final String url;
    private final String username;
    private final String password;

    DatabaseChannels(
            @Value("${spring.datasource.url}") String url,
            @Value("${spring.datasource.username}") String username,
            @Value("${spring.datasource.password}") String password) {
        this.url = url;
        this.username = username;
        this.password = password;
    }

    /** A listener of {@code channel}, not started yet (see {@link ChannelListener}). */
    public ChannelListener listener(
            String channel, String applicationName, Consumer<String> onNotification, Runnable onListening) {
        return new ChannelListener(channel, url, username, password, applicationName, onNotification, onListening);
    }
}
