package io.insa.iiot.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.shared.Secrets;
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
 * The password policy where passwords are chosen: a refusal is a 400 problem naming every broken rule,
 * and it changes nothing (no account, the invitation unspent, the old password still valid).
 */
@Timeout(60)
class PasswordPolicyIT extends IntegrationTest {

    @Test
    void aWeakPasswordAtAcceptInviteNamesEveryBrokenRuleAndCreatesNoAccount() {
        UUID tenant = fixture.tenant("Weak newcomers");
        String email = "dragon@" + Fixture.unique("pw") + ".example";
        invite(tenant, email);
        String token = Mailbox.invitationToken(email);

        Api.Response weak = acceptInvite(token, "dragon", "Dragon Rider");

        assertThat(weak.status()).as(weak.toString()).isEqualTo(400);
        assertThat(weak.header("Content-Type")).startsWith("application/problem+json");
        assertThat(weak.json().get("field").asString()).isEqualTo("password");
        assertThat(weak.json().get("detail").asString())
                .isEqualTo("password: must be at least 12 characters; is one of the 100,000 most common passwords;"
                        + " must not contain the part of the e-mail address before the @;"
                        + " must not contain the user's name or a word of it");
        assertThat(violations(weak)).containsExactly("too_short", "common_password", "contains_email", "contains_name");
        assertThat(memberEmails(tenant)).as("no account was created").doesNotContain(email);

        Api.Response common = acceptInvite(token, "QwertyUIOP123", "Rider");
        assertThat(common.status()).as(common.toString()).isEqualTo(400);
        assertThat(violations(common)).containsExactly("common_password");

        Api.Response accepted = acceptInvite(token, "Saddle-Up-At-Dawn-42", "Dragon Rider");
        assertThat(accepted.status())
                .as("the invitation is still good: " + accepted)
                .isEqualTo(200);
        assertThat(login(email, "dragon").status()).isEqualTo(401);
        assertThat(login(email, "Saddle-Up-At-Dawn-42").status()).isEqualTo(200);
    }

    @Test
    void aWeakNewPasswordNamesEveryBrokenRuleAndTheOldOneStillWorks() {
        // an imported legacy account keeps its weak password: the policy judges passwords being set
        String email = "sunshine@" + Fixture.unique("pw") + ".example";
        Api.Response imported = api.post(
                        "/api/v1/admin/users/import",
                        Map.of(
                                "users",
                                List.of(Map.of(
                                        "email",
                                        email,
                                        "name",
                                        "Sunny Sunshine",
                                        "password_sha256",
                                        Secrets.sha256Hex("sunshine")))))
                .bearer(fixture.adminToken())
                .send();
        assertThat(imported.status()).as(imported.toString()).isEqualTo(200);
        Api.Response loggedIn = login(email, "sunshine");
        assertThat(loggedIn.status()).as(loggedIn.toString()).isEqualTo(200);
        String accessToken = loggedIn.json().get("access_token").asString();

        Api.Response weak = changePassword(accessToken, "sunshine", "sunshine");

        assertThat(weak.status()).as(weak.toString()).isEqualTo(400);
        assertThat(weak.header("Content-Type")).startsWith("application/problem+json");
        assertThat(weak.json().get("field").asString()).isEqualTo("new_password");
        assertThat(weak.json().get("detail").asString())
                .isEqualTo("new_password: must be at least 12 characters; is one of the 100,000 most common passwords;"
                        + " must not contain the part of the e-mail address before the @;"
                        + " must not contain the user's name or a word of it; must differ from the current password");
        assertThat(violations(weak))
                .containsExactly("too_short", "common_password", "contains_email", "contains_name", "same_as_current");
        assertThat(login(email, "sunshine").status())
                .as("the old password still works")
                .isEqualTo(200);

        assertThat(changePassword(accessToken, "sunshine", "Tractor-Engine-Blue-9")
                        .status())
                .isEqualTo(204);
        Api.Response again = changePassword(accessToken, "Tractor-Engine-Blue-9", "Tractor-Engine-Blue-9");
        assertThat(again.status()).as(again.toString()).isEqualTo(400);
        assertThat(violations(again)).containsExactly("same_as_current");
        assertThat(login(email, "sunshine").status()).isEqualTo(401);
        assertThat(login(email, "Tractor-Engine-Blue-9").status()).isEqualTo(200);
    }

    @Test
    void aNewPasswordMayNotContainTheAccountsNameOrAddress() {
        UUID tenant = fixture.tenant("Personal passwords");
        Fixture.Member member = fixture.member(tenant, "operator"); // named "Test operator"
        String localPart = member.email().substring(0, member.email().indexOf('@'));

        Api.Response withName = changePassword(member.accessToken(), member.password(), "my-OPERATOR-passphrase");
        Api.Response withAddress =
                changePassword(member.accessToken(), member.password(), "x-" + localPart.toUpperCase() + "-y");

        assertThat(violations(withName)).containsExactly("contains_name");
        assertThat(violations(withAddress))
                .as("the fixture's local part holds the role, a word of the name too")
                .containsExactly("contains_email", "contains_name");
        assertThat(login(member.email(), member.password()).status()).isEqualTo(200);
    }

    private void invite(UUID tenant, String email) {
        Api.Response invite = api.post(
                        "/api/v1/tenants/" + tenant + "/users/invite", Map.of("email", email, "role", "viewer"))
                .bearer(fixture.adminToken())
                .send();
        assertThat(invite.status()).as(invite.toString()).isEqualTo(201);
    }

    private Api.Response acceptInvite(String token, String password, String name) {
        return api.post("/api/v1/auth/accept-invite", Map.of("token", token, "password", password, "name", name))
                .send();
    }

    private Api.Response changePassword(String accessToken, String current, String next) {
        return api.post("/api/v1/auth/password", Map.of("current_password", current, "new_password", next))
                .bearer(accessToken)
                .send();
    }

    private Api.Response login(String email, String password) {
        return api.post("/api/v1/auth/login", Map.of("email", email, "password", password))
                .from(Fixture.freshIp())
                .send();
    }

    private static List<String> violations(Api.Response response) {
        JsonNode violations = response.json().get("violations");
        assertThat(violations).as("violations in " + response).isNotNull();
        return violations.valueStream().map(JsonNode::asString).toList();
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
}
