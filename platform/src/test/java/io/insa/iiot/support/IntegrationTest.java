package io.insa.iiot.support;

import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the integration tests: the whole platform on a random port, against a throwaway PostgreSQL
 * database, reached over real HTTP. All subclasses share one application context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class IntegrationTest {

    public static final String ADMIN_EMAIL = "root@it.example";
    public static final String ADMIN_PASSWORD = "root-password-for-tests";
    public static final Path DATA_DIR = Path.of("target", "it-data-" + UUID.randomUUID()).toAbsolutePath();

    @LocalServerPort
    protected int port;

    protected Api api;
    protected Fixture fixture;

    @DynamicPropertySource
    static void platformProperties(DynamicPropertyRegistry registry) {
        TestDatabase db = TestDatabase.get();
        registry.add("insa.db.url", () -> db.url);
        registry.add("insa.db.owner-user", () -> db.ownerUser);
        registry.add("insa.db.owner-password", () -> db.ownerPassword);
        registry.add("insa.db.app-user", () -> db.appUser);
        registry.add("insa.db.app-password", () -> db.appPassword);
        registry.add("insa.data-dir", DATA_DIR::toString);
        registry.add("insa.admin.email", () -> ADMIN_EMAIL);
        registry.add("insa.admin.password", () -> ADMIN_PASSWORD);
        // tests simulate many client addresses through X-Forwarded-For from loopback
        registry.add("server.forward-headers-strategy", () -> "native");
    }

    @BeforeEach
    void connect() {
        api = new Api(port);
        fixture = new Fixture(api);
    }
}
