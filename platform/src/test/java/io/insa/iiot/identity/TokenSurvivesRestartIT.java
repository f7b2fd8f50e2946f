package io.insa.iiot.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.IiotApplication;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A token outlives the process that issued it: a second instance of the platform, started with the
 * same configuration (same database, same data directory and so the same generated secret), accepts it.
 */
class TokenSurvivesRestartIT extends IntegrationTest {

    @Test
    void tokenIssuedBeforeARestartIsAcceptedAfterIt() {
        UUID tenant = fixture.tenant("Restart");
        Fixture.Member member = fixture.member(tenant, "viewer");

        Map<String, String> properties = new HashMap<>(platformProperties());
        properties.put("server.port", "0");
        String[] args = properties.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        try (ConfigurableApplicationContext restarted = new SpringApplicationBuilder(IiotApplication.class).run(args)) {
            int port = ((WebServerApplicationContext) restarted).getWebServer().getPort();
            Api other = new Api(port);

            Api.Response me =
                    other.get("/api/v1/auth/me").bearer(member.accessToken()).send();
            assertThat(me.status()).as(me.toString()).isEqualTo(200);
            assertThat(me.json().at("/user/email").asString()).isEqualTo(member.email());

            Api.Response refreshed = other.post("/api/v1/auth/refresh", Map.of("refresh_token", member.refreshToken()))
                    .send();
            assertThat(refreshed.status()).isEqualTo(200);
            String newToken = refreshed.json().get("access_token").asString();
            assertThat(api.get("/api/v1/auth/me").bearer(newToken).send().status())
                    .as("and a token of the new instance is accepted by the old one")
                    .isEqualTo(200);
        }
    }
}
