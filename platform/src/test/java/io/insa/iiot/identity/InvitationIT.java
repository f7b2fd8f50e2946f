package io.insa.iiot.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Mailbox;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Invitations need the consent of whoever owns the invited address: the token travels only by e-mail,
 * an existing account is never added or logged in by somebody else's invitation, and a tenant admin of
 * one tenant cannot use an invitation to get into another tenant.
 */
@Timeout(60)
class InvitationIT extends IntegrationTest {

    @Test
    void theInviteResponseHoldsNeitherTokenNorLinkAndOnlyTheInvitedAddressGetsThem() {
        UUID tenant = fixture.tenant("Mailed");
        Fixture.Member admin = fixture.member(tenant, "admin");
        String email = Fixture.unique("mailed") + "@it.example";

        Api.Response invite = invite(admin.accessToken(), tenant, email, "viewer");

        assertThat(invite.status()).as(invite.toString()).isEqualTo(201);
        String token = Mailbox.invitationToken(email);
        assertThat(invite.text()).doesNotContain(token).doesNotContain("accept-invite");
        assertThat(invite.json().get("invitation").propertyNames()).containsExactlyInAnyOrder("id", "expires_at");
        assertThat(invite.json().at("/user/status").asString()).isEqualTo("pending");
        assertThat(Mailbox.textsTo(admin.email())).noneMatch(text -> text.contains(token));
        assertThat(Mailbox.textsTo(email)).singleElement().asString().contains("/accept-invite?token=" + token);
    }

    @Test
    void theMailedLinkOpensThePageThatAcceptsTheInvitation() {
        UUID tenant = fixture.tenant("Linked");
        String email = Fixture.unique("linked") + "@it.example";
        invite(fixture.adminToken(), tenant, email, "viewer");
        String link = Mailbox.textsTo(email)
                .getFirst()
                .lines()
                .map(String::strip)
                .filter(line -> line.contains("/accept-invite?token="))
                .findFirst()
                .orElseThrow();

        Api.Response page =
                api.get(link.substring(link.indexOf("/accept-invite"))).send();

        assertThat(page.status()).as("the link leads to the console's page").isEqualTo(302);
        assertThat(page.header("Location")).contains("/console/accept-invite?token=");
    }

    @Test
    void theInviteAnswerIsTheSameWhetherOrNotTheAddressHasAnAccount() {
        UUID tenant = fixture.tenant("Same shape");
        UUID other = fixture.tenant("Same shape other");
        Fixture.Member existing = fixture.member(other, "viewer");

        JsonNode forAccount = invite(fixture.adminToken(), tenant, existing.email(), "operator")
                .json();
        JsonNode forNobody = invite(fixture.adminToken(), tenant, Fixture.unique("new") + "@it.example", "operator")
                .json();

        assertThat(shape(forAccount)).isEqualTo(shape(forNobody));
        assertThat(forAccount.at("/user/status").asString()).isEqualTo("pending");
        assertThat(forNobody.at("/user/status").asString()).isEqualTo("pending");
    }

    @Test
    void anExistingAccountIsAddedOnlyWhenItsOwnerAccepts() {
        UUID tenant = fixture.tenant("Consent");
        UUID home = fixture.tenant("Consent home");
        Fixture.Member user = fixture.member(home, "viewer");

        String invitation = invite(fixture.adminToken(), tenant, user.email(), "operator")
                .json()
                .at("/invitation/id")
                .asString();

        assertThat(memberEmails(tenant)).doesNotContain(user.email());
        assertThat(tenantsOf(user.accessToken())).doesNotContain(tenant.toString());
        JsonNode open = api.get("/api/v1/auth/invitations")
                .bearer(user.accessToken())
                .send()
                .json();
        assertThat(open.get("total").asInt()).isEqualTo(1);
        assertThat(open.at("/items/0/id").asString()).isEqualTo(invitation);
        assertThat(open.at("/items/0/tenant_id").asString()).isEqualTo(tenant.toString());
        assertThat(open.at("/items/0/role").asString()).isEqualTo("operator");

        Api.Response accepted = api.post("/api/v1/auth/invitations/" + invitation + "/accept", Map.of())
                .bearer(user.accessToken())
                .send();

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
        assertThat(accepted.json().get("id").asString()).isEqualTo(tenant.toString());
        assertThat(memberEmails(tenant)).contains(user.email());
        assertThat(tenantsOf(user.accessToken())).contains(tenant.toString());
        assertThat(api.post("/api/v1/auth/invitations/" + invitation + "/accept", Map.of())
                        .bearer(user.accessToken())
                        .send()
                        .status())
                .as("an invitation is spent once")
                .isEqualTo(404);
    }

    @Test
    void aDeclinedInvitationAddsNobodyAndFreesItsSeat() {
        UUID tenant = fixture.tenant("Declined", Map.of("max_users", 2));
        fixture.member(tenant, "admin");
        UUID home = fixture.tenant("Declined home");
        Fixture.Member user = fixture.member(home, "viewer");
        String invitation = invite(fixture.adminToken(), tenant, user.email(), "viewer")
                .json()
                .at("/invitation/id")
                .asString();

        Api.Response full = invite(fixture.adminToken(), tenant, Fixture.unique("third") + "@it.example", "viewer");
        assertThat(full.status()).as("an open invitation holds a seat").isEqualTo(422);

        Api.Response declined = api.post("/api/v1/auth/invitations/" + invitation + "/decline", Map.of())
                .bearer(user.accessToken())
                .send();

        assertThat(declined.status()).as(declined.toString()).isEqualTo(204);
        assertThat(memberEmails(tenant)).doesNotContain(user.email());
        assertThat(api.get("/api/v1/auth/invitations")
                        .bearer(user.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asInt())
                .isZero();
        assertThat(invite(fixture.adminToken(), tenant, Fixture.unique("fourth") + "@it.example", "viewer")
                        .status())
                .isEqualTo(201);
    }

    @Test
    void nobodyAnswersAnotherUsersInvitation() {
        UUID tenant = fixture.tenant("Not yours");
        Fixture.Member invited = fixture.member(fixture.tenant("Not yours home"), "viewer");
        Fixture.Member stranger = fixture.member(fixture.tenant("Stranger home"), "admin");
        String invitation = invite(fixture.adminToken(), tenant, invited.email(), "admin")
                .json()
                .at("/invitation/id")
                .asString();

        for (String answer : List.of("accept", "decline")) {
            Api.Response response = api.post("/api/v1/auth/invitations/" + invitation + "/" + answer, Map.of())
                    .bearer(stranger.accessToken())
                    .send();
            assertThat(response.status()).as(response.toString()).isEqualTo(404);
        }
        assertThat(api.post("/api/v1/auth/invitations/" + invitation + "/accept", Map.of())
                        .send()
                        .status())
                .isEqualTo(401);
        assertThat(memberEmails(tenant)).doesNotContain(stranger.email());
    }

    /**
     * Finding 1: a user invited by tenants A and B accepts A's invitation; whoever holds B's token must
     * not get a session as that user, nor change their password.
     */
    @Test
    void aSecondTokenForAnActiveAccountStartsNoSessionAndChangesNothing() {
        UUID a = fixture.tenant("Takeover A");
        UUID b = fixture.tenant("Takeover B");
        String email = Fixture.unique("victim") + "@it.example";
        invite(fixture.adminToken(), a, email, "admin");
        String tokenA = Mailbox.invitationToken(email);
        invite(fixture.adminToken(), b, email, "viewer");
        String tokenB = Mailbox.invitationToken(email);
        assertThat(tokenB).isNotEqualTo(tokenA);
        assertThat(acceptInvite(tokenA, "victims-own-password").status()).isEqualTo(200);

        Api.Response hijack = acceptInvite(tokenB, "attackers-password");

        assertThat(hijack.status()).as(hijack.toString()).isEqualTo(409);
        assertThat(hijack.json().has("access_token")).isFalse();
        assertThat(hijack.json().get("detail").asString()).contains("log in and accept");
        assertThat(fixture.login(email, "victims-own-password").get("access_token"))
                .isNotNull();
        assertThat(api.post("/api/v1/auth/login", Map.of("email", email, "password", "attackers-password"))
                        .from(Fixture.freshIp())
                        .send()
                        .status())
                .isEqualTo(401);
        assertThat(memberEmails(b)).doesNotContain(email);
    }

    /**
     * Finding 2: tenant admin B invites an address, and must not be able to accept in its name; when
     * tenant A later invites the same address, only its owner can join A.
     */
    @Test
    void aTenantAdminCannotPreRegisterAnAddressAndRideAnotherTenantsInvitation() {
        UUID a = fixture.tenant("Prehijack A");
        UUID b = fixture.tenant("Prehijack B");
        Fixture.Member adminB = fixture.member(b, "admin");
        String victim = Fixture.unique("corp") + "@it.example";

        Api.Response byB = invite(adminB.accessToken(), b, victim, "viewer");
        assertThat(byB.status()).isEqualTo(201);
        assertThat(byB.json().at("/invitation/token").isMissingNode()).isTrue();
        String tokenB = Mailbox.invitationToken(victim);
        assertThat(byB.text()).doesNotContain(tokenB);
        assertThat(Mailbox.textsTo(adminB.email())).noneMatch(text -> text.contains(tokenB));

        invite(fixture.adminToken(), a, victim, "operator");
        String tokenA = Mailbox.invitationToken(victim);
        JsonNode session = acceptInvite(tokenA, "the-victims-password").json();

        assertThat(session.at("/tenant/id").asString()).isEqualTo(a.toString());
        assertThat(memberEmails(a)).containsExactly(victim);
        assertThat(memberEmails(b)).doesNotContain(victim);
        assertThat(tenantsOf(adminB.accessToken())).doesNotContain(a.toString());
    }

    @Test
    void aNewAccountIsCreatedOnlyByTheTokenItsAddressReceived() {
        UUID tenant = fixture.tenant("Fresh");
        String email = Fixture.unique("fresh") + "@it.example";
        invite(fixture.adminToken(), tenant, email, "viewer");
        assertThat(api.post("/api/v1/auth/login", Map.of("email", email, "password", "anything-at-all"))
                        .from(Fixture.freshIp())
                        .send()
                        .status())
                .as("an invitation creates no account")
                .isEqualTo(401);

        Api.Response wrongToken = acceptInvite("not-a-token", "long-enough-1");
        assertThat(wrongToken.status()).isEqualTo(400);

        Api.Response accepted = acceptInvite(Mailbox.invitationToken(email), "long-enough-1");
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
        assertThat(accepted.json().at("/user/email").asString()).isEqualTo(email);
        assertThat(acceptInvite(Mailbox.invitationToken(email), "long-enough-1").status())
                .as("a token is spent once")
                .isEqualTo(400);
        assertThat(memberEmails(tenant)).containsExactly(email);
    }

    private Api.Response invite(String bearer, UUID tenant, String email, String role) {
        return api.post("/api/v1/tenants/" + tenant + "/users/invite", Map.of("email", email, "role", role))
                .bearer(bearer)
                .send();
    }

    private Api.Response acceptInvite(String token, String password) {
        return api.post(
                        "/api/v1/auth/accept-invite",
                        Map.of("token", token, "password", password, "name", "Invited Person"))
                .send();
    }

    private List<String> memberEmails(UUID tenant) {
        return api.get("/api/v1/tenants/" + tenant + "/users?size=500")
                .bearer(fixture.adminToken())
                .send()
                .json()
                .get("items")
                .valueStream()
                .map(u -> u.get("email").asString())
                .toList();
    }

    private List<String> tenantsOf(String accessToken) {
        return api.get("/api/v1/auth/me")
                .bearer(accessToken)
                .send()
                .json()
                .get("memberships")
                .valueStream()
                .map(m -> m.get("id").asString())
                .toList();
    }

    private static List<String> shape(JsonNode invite) {
        return List.of(
                String.join(",", invite.propertyNames()),
                String.join(",", invite.get("user").propertyNames()),
                String.join(",", invite.get("invitation").propertyNames()));
    }
}
