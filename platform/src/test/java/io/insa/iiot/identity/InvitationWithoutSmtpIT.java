package io.insa.iiot.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.shared.Smtp;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/** Without an SMTP server an invitation cannot reach its address, so it is refused and changes nothing. */
@Timeout(60)
class InvitationWithoutSmtpIT extends IntegrationTest {

    /** No SMTP server: the shared context's spring.mail.host is dynamic and cannot be unset here. */
    @MockitoBean
    Smtp smtp;

    @Test
    void invitingAnswers503AndTakesNoSeat() throws SQLException {
        UUID tenant = fixture.tenant("No SMTP");

        Api.Response invite = api.post(
                        "/api/v1/tenants/" + tenant + "/users/invite",
                        Map.of("email", Fixture.unique("unsent") + "@it.example", "role", "viewer"))
                .bearer(fixture.adminToken())
                .send();

        assertThat(invite.status()).as(invite.toString()).isEqualTo(503);
        assertThat(invite.header("Content-Type")).startsWith("application/problem+json");
        assertThat(invite.json().get("detail").asString()).contains("SMTP");
        assertThat(api.get("/api/v1/tenants/" + tenant + "/quotas")
                        .bearer(fixture.adminToken())
                        .send()
                        .json()
                        .at("/users/used")
                        .asInt())
                .isZero();
        try (Connection c = TestDatabase.get().connectAsOwner();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM invitations WHERE tenant_id = ?")) {
            s.setObject(1, tenant);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }
}
