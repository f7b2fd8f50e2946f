package io.insa.iiot.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Mailbox;
import io.insa.iiot.support.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Login against an attacker: a lockout that cannot keep the owner out, answers that do not tell whether
 * an account exists, bcrypt's 72-byte limit, and refusals that cannot flood the audit log.
 */
@Timeout(60)
class LoginHardeningIT extends IntegrationTest {

    private static final String WRONG = "not-the-password";

    @Autowired
    LoginRefusals refusals;

    @Autowired
    MeterRegistry meters;

    @Test
    void failuresFromOneAddressLockOnlyThatAddressOutOfTheAccount() {
        Fixture.Member member = fixture.member(fixture.tenant("Lockout"), "operator");
        String attacker = Fixture.freshIp();
        for (int i = 0; i < 5; i++) {
            assertThat(login(member.email(), WRONG, attacker).status()).isEqualTo(401);
        }

        Api.Response locked = login(member.email(), member.password(), attacker);
        Api.Response owner = login(member.email(), member.password(), Fixture.freshIp());

        assertThat(locked.status())
                .as("the attacking address is refused even with the right password")
                .isEqualTo(429);
        assertThat(Integer.parseInt(locked.header("Retry-After"))).isBetween(1, 30);
        assertThat(owner.status())
                .as("the owner logs in from another address: " + owner)
                .isEqualTo(200);
        JsonNode lockouts = audit("action=auth.lockout&target_id=" + member.id());
        assertThat(lockouts.get("total").asInt()).isEqualTo(1);
        assertThat(lockouts.at("/items/0/details/client_ip").asString()).isEqualTo(attacker);
        assertThat(audit("action=auth.login&target_id=" + member.id()).get("items"))
                .filteredOn(e -> e.get("outcome").asString().equals("failure"))
                .hasSize(5);
    }

    @Test
    void aLockedAccountAndAnUnknownEmailGetTheSameAnswer() {
        Fixture.Member member = fixture.member(fixture.tenant("Same answer"), "viewer");
        String unknown = Fixture.unique("nobody") + "@it.example";
        String first = Fixture.freshIp();
        String second = Fixture.freshIp();
        for (int i = 0; i < 5; i++) {
            login(member.email(), WRONG, first);
            login(unknown, WRONG, second);
        }

        Api.Response lockedAccount = login(member.email(), WRONG, first);
        Api.Response unknownEmail = login(unknown, WRONG, second);

        assertThat(lockedAccount.status()).isEqualTo(429);
        assertThat(unknownEmail.status()).isEqualTo(429);
        assertThat(lockedAccount.json().get("detail"))
                .isEqualTo(unknownEmail.json().get("detail"));
        assertThat(lockedAccount.json().propertyNames())
                .containsExactlyInAnyOrderElementsOf(unknownEmail.json().propertyNames());
    }

    @Test
    void everyRefusedPasswordCostsOneBcryptComparisonWhateverTheAccountsState() throws SQLException {
        Fixture.Member active = fixture.member(fixture.tenant("Timing"), "viewer");
        Fixture.Member disabled = fixture.member(fixture.tenant("Timing disabled"), "viewer");
        setStatus(disabled.id(), "disabled");
        String invited = insertInvitedUser();

        for (String email : new String[] {Fixture.unique("nobody") + "@it.example", invited, disabled.email()}) {
            long before = bcryptChecks();
            Api.Response refused = login(email, disabled.password(), Fixture.freshIp());
            assertThat(refused.status()).as(email).isEqualTo(401);
            assertThat(refused.json().get("detail").asString()).isEqualTo("invalid e-mail or password");
            assertThat(bcryptChecks() - before)
                    .as("bcrypt comparisons for " + email)
                    .isEqualTo(1);
        }
        long before = bcryptChecks();
        assertThat(login(active.email(), WRONG, Fixture.freshIp()).status()).isEqualTo(401);
        assertThat(bcryptChecks() - before).isEqualTo(1);
    }

    @Test
    void passwordsLongerThan72BytesAreRefusedWithoutBurningTheInvitation() {
        UUID tenant = fixture.tenant("Long passwords");
        String email = Fixture.unique("long") + "@it.example";
        api.post("/api/v1/tenants/" + tenant + "/users/invite", Map.of("email", email, "role", "viewer"))
                .bearer(fixture.adminToken())
                .send();
        String token = Mailbox.invitationToken(email);
        String seventyFourBytes = "é".repeat(37);

        Api.Response tooLong = api.post(
                        "/api/v1/auth/accept-invite",
                        Map.of("token", token, "password", seventyFourBytes, "name", "Long"))
                .send();

        assertThat(tooLong.status()).as(tooLong.toString()).isEqualTo(400);
        assertThat(tooLong.json().get("field").asString()).isEqualTo("password");
        assertThat(tooLong.json().get("detail").asString()).contains("72 bytes");
        Api.Response accepted = api.post(
                        "/api/v1/auth/accept-invite",
                        Map.of("token", token, "password", "é".repeat(36), "name", "Long"))
                .send();
        assertThat(accepted.status())
                .as("the invitation still works: " + accepted)
                .isEqualTo(200);
        assertThat(login(email, seventyFourBytes, Fixture.freshIp()).status()).isEqualTo(401);
        assertThat(login(email, "é".repeat(36), Fixture.freshIp()).status()).isEqualTo(200);

        Api.Response change = api.post(
                        "/api/v1/auth/password",
                        Map.of("current_password", "é".repeat(36), "new_password", "x".repeat(73)))
                .bearer(accepted.json().get("access_token").asString())
                .send();
        assertThat(change.status()).isEqualTo(400);
        assertThat(change.json().get("field").asString()).isEqualTo("new_password");
    }

    @Test
    void refusedAttemptsAreAuditedAsOneCountPerAddressAndMinute() {
        String flooder = Fixture.freshIp();
        for (int i = 0; i < 30; i++) {
            login(Fixture.unique("flood") + "@it.example", WRONG, flooder);
        }

        refusals.flushAll();

        JsonNode rows = audit("action=auth.login&target_type=client_address&target_id=" + flooder);
        assertThat(rows.get("total").asInt()).as("one row per minute").isBetween(1, 2);
        long counted = rows.get("items")
                .valueStream()
                .mapToLong(e -> e.at("/details/count").asLong())
                .sum();
        assertThat(counted).isEqualTo(25);
        assertThat(rows.at("/items/0/outcome").asString()).isEqualTo("rate_limited");
        assertThat(rows.at("/items/0/client_ip").asString()).isEqualTo(flooder);
    }

    private long bcryptChecks() {
        return meters.get("insa.auth.password.checks").timer().count();
    }

    @Test
    void wrongCurrentPasswordsOnAPasswordChangeEndIn429EvenFromEverChangingAddresses() {
        Fixture.Member member = fixture.member(fixture.tenant("Re-authentication"), "operator");
        Api.Response refused = repeatUntil429(() -> api.post(
                        "/api/v1/auth/password",
                        Map.of("current_password", WRONG, "new_password", "pw-" + UUID.randomUUID()))
                .bearer(member.accessToken())
                .from(Fixture.freshIp()) // a stolen token used from many addresses: counted per account
                .send());
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isPositive();

        Api.Response right = api.post(
                        "/api/v1/auth/password",
                        Map.of("current_password", member.password(), "new_password", "pw-" + UUID.randomUUID()))
                .bearer(member.accessToken())
                .from(Fixture.freshIp())
                .send();
        assertThat(right.status())
                .as("the right password while locked: " + right)
                .isEqualTo(429);
        assertThat(audit("action=auth.password_change&target_id=" + member.id()).get("items"))
                .as("each wrong password is audited")
                .filteredOn(e -> e.get("outcome").asString().equals("failure"))
                .hasSizeGreaterThanOrEqualTo(5);
        assertThat(login(member.email(), member.password(), Fixture.freshIp()).status())
                .as("the account still logs in: the lock is on checks behind its sessions")
                .isEqualTo(200);
    }

    @Test
    void wrongPasswordsOnMfaEnrolmentEndIn429() {
        Fixture.Member member = fixture.member(fixture.tenant("Re-authentication MFA"), "operator");
        String address = Fixture.freshIp();
        Api.Response refused = repeatUntil429(() -> api.post("/api/v1/auth/mfa/enroll", Map.of("password", WRONG))
                .bearer(member.accessToken())
                .from(address)
                .send());
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isPositive();
        Api.Response right = api.post("/api/v1/auth/mfa/enroll", Map.of("password", member.password()))
                .bearer(member.accessToken())
                .from(address)
                .send();
        assertThat(right.status())
                .as("the right password while locked: " + right)
                .isEqualTo(429);
    }

    /** Sends the wrong attempt until it is refused with 429; wrong ones before are 400. */
    static Api.Response repeatUntil429(java.util.function.Supplier<Api.Response> attempt) {
        for (int i = 1; i <= 10; i++) {
            Api.Response response = attempt.get();
            if (response.status() == 429) {
                assertThat(i).as("attempts until 429").isLessThanOrEqualTo(6);
                return response;
            }
            assertThat(response.status()).as(response.toString()).isEqualTo(400);
        }
        throw new AssertionError("ten wrong attempts in a row and none was refused with 429");
    }

    private Api.Response login(String email, String password, String from) {
        return api.post("/api/v1/auth/login", Map.of("email", email, "password", password))
                .from(from)
                .send();
    }

    private JsonNode audit(String query) {
        Api.Response response =
                api.get("/api/v1/audit?" + query).bearer(fixture.adminToken()).send();
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private static void setStatus(UUID user, String status) throws SQLException {
        try (Connection c = TestDatabase.get().connectAsApp();
                PreparedStatement s = c.prepareStatement("UPDATE users SET status = ? WHERE id = ?")) {
            s.setString(1, status);
            s.setObject(2, user);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    /** An account left invited by an earlier version, which created accounts at invitation time. */
    private static String insertInvitedUser() throws SQLException {
        String email = Fixture.unique("invited") + "@it.example";
        try (Connection c = TestDatabase.get().connectAsApp();
                PreparedStatement s = c.prepareStatement(
                        "INSERT INTO users (id, email, status, created_at) VALUES (?, ?, 'invited', now())")) {
            s.setObject(1, UUID.randomUUID());
            s.setString(2, email);
            s.executeUpdate();
        }
        return email;
    }
}
