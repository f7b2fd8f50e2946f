package io.insa.iiot.system;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.insa.iiot.IiotApplication;
import io.insa.iiot.support.IntegrationTest;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The transports' listeners start side by side (ConcurrentListenerStart): one that cannot bind its port
 * still fails the start, as it did when they started one after the other.
 */
class ListenerStartIT extends IntegrationTest {

    @Test
    @Timeout(120)
    void aListenerThatCannotBindFailsTheStart() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
            Map<String, String> properties = new HashMap<>(platformProperties());
            properties.put("server.port", "0");
            properties.put("insa.amqp.port", String.valueOf(taken.getLocalPort()));
            String[] args = properties.entrySet().stream()
                    .map(e -> "--" + e.getKey() + "=" + e.getValue())
                    .toArray(String[]::new);

            assertThatThrownBy(() -> new SpringApplicationBuilder(IiotApplication.class)
                            .run(args)
                            .close())
                    .hasStackTraceContaining("Address already in use");
        }
    }
}
