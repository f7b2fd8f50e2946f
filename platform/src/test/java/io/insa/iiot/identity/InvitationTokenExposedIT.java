package io.insa.iiot.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.shared.Smtp;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/** A development install without SMTP may opt into seeing invitation tokens in the invite response. */
@Timeout(60)
@TestPropertySource(properties = "insa.invitations.expose-token=true")
class InvitationTokenExposedIT extends IntegrationTest {

    /** No SMTP server, as in InvitationWithoutSmtpIT. */
    @MockitoBean
    Smtp smtp;

    @Test
    void theTokenAndLinkAreInTheResponseAndWorkOnce() {
        UUID tenant = fixture.tenant("Exposed");
        String email = Fixture.unique("exposed") + "@it.example";

        Api.Response invite = api.post(
                        "/api/v1/tenants/" + tenant + "/users/invite", Map.of("email", email, "role", "viewer"))
                .bearer(fixture.adminToken())
                .send();

        assertThat(invite.status()).as(invite.toString()).isEqualTo(201);
        String token = invite.json().at("/invitation/token").asString();
        assertThat(invite.json().at("/invitation/invite_url").asString()).endsWith("/accept-invite?token=" + token);
        Map<String, String> accept = Map.of("token", token, "password", "long-enough-1", "name", "Exposed");
        assertThat(api.post("/api/v1/auth/accept-invite", accept).send().status())
                .isEqualTo(200);
        assertThat(api.post("/api/v1/auth/accept-invite", accept).send().status())
                .isEqualTo(400);
    }
}
