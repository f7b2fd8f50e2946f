package io.insa.iiot.support;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * Base of the integration tests: the whole platform on a random port, against a throwaway PostgreSQL
 * database, reached over real HTTP. All subclasses share one application context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureMetrics
@Import({IntegrationTest.TestClock.class, EvaluationStall.class})
// OPC UA: the test servers (Milo in-process, node-opcua) listen on 127.0.0.1; a test class may set its own
@TestPropertySource(properties = "insa.connectors.opcua.allowed-networks=127.0.0.1/32")
public abstract class IntegrationTest {

    /** Replaces the platform's clock, so that tests can cross a day boundary. */
    @TestConfiguration
    static class TestClock {
        @Bean
        @Primary
        MutableClock testClock() {
            return new MutableClock();
        }
    }

    public static final String ADMIN_EMAIL = "root@it.example";
    public static final String ADMIN_PASSWORD = "correct-horse-battery-for-tests";
    public static final Path DATA_DIR =
            Path.of("target", "it-data-" + UUID.randomUUID()).toAbsolutePath();

    @LocalServerPort
    protected int port;

    /** Actuator's own port (metrics), bound to loopback. */
    @LocalManagementPort
    protected int managementPort;

    protected Api api;
    /** A client of the management port. */
    protected Api management;

    protected Fixture fixture;

    @DynamicPropertySource
    static void platformProperties(DynamicPropertyRegistry registry) {
        platformProperties().forEach((key, value) -> registry.add(key, () -> value));
        Mailbox.properties().forEach((key, value) -> registry.add(key, () -> value));
    }

    /** The configuration of the platform under test; a second instance started with it is the same installation. */
    public static Map<String, String> platformProperties() {
        TestDatabase db = TestDatabase.get();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("insa.db.url", db.url);
        properties.put("insa.db.owner-user", db.ownerUser);
        properties.put("insa.db.owner-password", db.ownerPassword);
        properties.put("insa.db.app-user", db.appUser);
        properties.put("insa.db.app-password", db.appPassword);
        properties.put("insa.data-dir", DATA_DIR.toString());
        properties.put("insa.admin.email", ADMIN_EMAIL);
        properties.put("insa.admin.password", ADMIN_PASSWORD);
        properties.put("management.server.port", "0");
        properties.put("insa.https.port", "0");
        properties.put("insa.mqtt.port", "0");
        properties.put("insa.mqtt.tls.enabled", "true");
        properties.put("insa.mqtt.tls.port", "0");
        properties.put("insa.mqtt.tls.keystore", TestKeystore.get().toString());
        properties.put("insa.mqtt.tls.keystore-password", TestKeystore.PASSWORD);
        properties.put("insa.coap.port", "0");
        properties.put("insa.coap.dtls.enabled", "true");
        properties.put("insa.coap.dtls.port", "0");
        properties.put("insa.coap.dtls.keystore", TestKeystore.get().toString());
        properties.put("insa.coap.dtls.keystore-password", TestKeystore.PASSWORD);
        properties.put("insa.amqp.port", "0");
        properties.put("insa.amqp.tls.enabled", "true");
        properties.put("insa.amqp.tls.port", "0");
        properties.put("insa.amqp.tls.keystore", TestKeystore.get().toString());
        properties.put("insa.amqp.tls.keystore-password", TestKeystore.PASSWORD);
        // several test contexts stay up side by side (spring.properties): an idle one keeps few connections
        properties.put("spring.datasource.hikari.maximum-pool-size", "10");
        properties.put("spring.datasource.hikari.minimum-idle", "1");
        properties.put("spring.datasource.hikari.idle-timeout", "10000");
        // rules: webhook receivers of the tests listen on loopback; retries and no-data checks at test pace
        properties.put("insa.notify.webhook.allow-private-addresses", "true");
        properties.put("insa.notify.retry-initial", "200ms");
        properties.put("insa.notify.poll-interval", "100ms");
        properties.put("insa.rules.no-data-check-interval", "300ms");
        properties.put("insa.rules.max-per-tenant", "20");
        // a domain event's listener that failed gets it again at test pace
        properties.put("insa.events.retry-interval", "1s");
        properties.put("insa.analytics.checkpoint-interval", "500ms");
        // a connector of a node that died is taken over by another at test pace
        properties.put("insa.opcua.ownership-check", "1s");
        properties.put("insa.analytics.max-models-per-tenant", "5");
        // tests simulate many client addresses through X-Forwarded-For from loopback, a trusted proxy
        properties.put("insa.security.trusted-proxies", "127.0.0.1/32");
        return properties;
    }

    @BeforeEach
    void connect() {
        api = new Api(port);
        management = new Api(managementPort);
        fixture = new Fixture(api);
    }
}
