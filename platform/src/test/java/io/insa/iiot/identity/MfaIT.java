package io.insa.iiot.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * TOTP MFA end to end, with codes the test computes itself (RFC 6238): enrolment and confirmation,
 * login with a code and with a recovery code, each accepted once, wrong codes counted toward the
 * lockout, disabling, a system admin's reset, and a tenant that requires MFA of its members.
 */
@Timeout(60)
class MfaIT extends IntegrationTest {

    record Enrolled(Fixture.Member member, String secret, List<String> recoveryCodes, long confirmedStep) {}

    @Test
    void enrolConfirmAndLogInWithCodesThatAreAcceptedOnce() {
        Fixture.Member member = fixture.member(fixture.tenant("MFA"), "operator");
        Api.Response wrongPassword = api.post("/api/v1/auth/mfa/enroll", Map.of("password", "not-the-password"))
                .bearer(member.accessToken())
                .send();
        assertThat(wrongPassword.status()).isEqualTo(400);
        assertThat(wrongPassword.json().get("detail").asString()).contains("password");

        Api.Response enrolment = api.post("/api/v1/auth/mfa/enroll", Map.of("password", member.password()))
                .bearer(member.accessToken())
                .send();
        assertThat(enrolment.status()).as(enrolment.toString()).isEqualTo(200);
        String secret = enrolment.json().get("secret").asString();
        assertThat(enrolment.json().get("otpauth_uri").asString())
                .startsWith("otpauth://totp/")
                .contains("secret=" + secret)
                .contains("issuer=INSA");
        assertThat(enrolment.json().get("qr_code").asString()).startsWith("data:image/png;base64,");
        assertThat(login(member, Map.of()).status())
                .as("not on before confirmation")
                .isEqualTo(200);

        long step = Totp.step();
        Api.Response wrong = confirm(member, Totp.code(secret, step + 5));
        assertThat(wrong.status()).isEqualTo(400);
        Api.Response confirmed = confirm(member, Totp.code(secret, step));
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
        List<String> recovery = confirmed
                .json()
                .get("recovery_codes")
                .valueStream()
                .map(JsonNode::asString)
                .toList();
        assertThat(new HashSet<>(recovery)).hasSize(10);

        Api.Response withoutCode = login(member, Map.of());
        assertThat(withoutCode.status()).isEqualTo(401);
        assertThat(withoutCode.header("Content-Type")).startsWith("application/problem+json");
        assertThat(withoutCode.json().get("mfa_required").asBoolean()).isTrue();

        Api.Response replayOfConfirmation = login(member, Map.of("totp_code", Totp.code(secret, step)));
        assertThat(replayOfConfirmation.status())
                .as("the confirming code was spent")
                .isEqualTo(401);
        assertThat(replayOfConfirmation.json().get("mfa_required").asBoolean()).isTrue();

        String next = Totp.code(secret, step + 1);
        Api.Response withCode = login(member, Map.of("totp_code", next));
        assertThat(withCode.status()).as(withCode.toString()).isEqualTo(200);
        assertThat(withCode.json().at("/user/mfa_enabled").asBoolean()).isTrue();
        assertThat(login(member, Map.of("totp_code", next)).status())
                .as("a code is accepted once")
                .isEqualTo(401);

        assertThat(login(member, Map.of("recovery_code", recovery.get(0))).status())
                .isEqualTo(200);
        assertThat(login(member, Map.of("recovery_code", recovery.get(0))).status())
                .as("a recovery code is spent")
                .isEqualTo(401);
        JsonNode used = api.get("/api/v1/audit?action=auth.mfa_recovery_code_used&target_id=" + member.id())
                .bearer(fixture.adminToken())
                .send()
                .json();
        assertThat(used.get("total").asLong()).isEqualTo(1);
        assertThat(used.at("/items/0/details/recovery_codes_left").asInt()).isEqualTo(9);
        assertThat(api.get("/api/v1/audit?action=auth.mfa_enable&target_id=" + member.id())
                        .bearer(fixture.adminToken())
                        .send()
                        .json()
                        .get("total")
                        .asLong())
                .isEqualTo(1);
    }

    @Test
    void wrongCodesCountTowardTheLockoutOfThatAddress() {
        Enrolled enrolled = enrolled("MFA lockout");
        String attacker = Fixture.freshIp();
        for (int i = 0; i < 5; i++) {
            Api.Response wrong = api.post(
                            "/api/v1/auth/login",
                            Map.of(
                                    "email",
                                    enrolled.member().email(),
                                    "password",
                                    enrolled.member().password(),
                                    "totp_code",
                                    "000000".equals(Totp.code(enrolled.secret(), Totp.step())) ? "111111" : "000000"))
                    .from(attacker)
                    .send();
            assertThat(wrong.status()).isEqualTo(401);
        }
        Api.Response locked = api.post(
                        "/api/v1/auth/login",
                        Map.of(
                                "email", enrolled.member().email(),
                                "password", enrolled.member().password(),
                                "recovery_code", enrolled.recoveryCodes().get(1)))
                .from(attacker)
                .send();
        assertThat(locked.status()).isEqualTo(429);
        assertThat(login(
                                enrolled.member(),
                                Map.of("recovery_code", enrolled.recoveryCodes().get(1)))
                        .status())
                .as("the owner, from elsewhere")
                .isEqualTo(200);
    }

    @Test
    void wrongCodesOnDisablingEndIn429AndTheRightCodeWaits() {
        Enrolled enrolled = enrolled("MFA disable throttle");
        String address = Fixture.freshIp();
        String wrongCode = "000000".equals(Totp.code(enrolled.secret(), Totp.step())) ? "111111" : "000000";
        Api.Response refused = LoginHardeningIT.repeatUntil429(() -> api.post(
                        "/api/v1/auth/mfa/disable",
                        Map.of("password", enrolled.member().password(), "code", wrongCode))
                .bearer(enrolled.member().accessToken())
                .from(address)
                .send());
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isPositive();
        Api.Response right = api.post(
                        "/api/v1/auth/mfa/disable",
                        Map.of(
                                "password",
                                enrolled.member().password(),
                                "code",
                                enrolled.recoveryCodes().get(3)))
                .bearer(enrolled.member().accessToken())
                .from(address)
                .send();
        assertThat(right.status()).as("the right code while locked: " + right).isEqualTo(429);
    }

    @Test
    void disablingNeedsThePasswordAndACodeAndASystemAdminCanReset() {
        Enrolled first = enrolled("MFA disable");
        Api.Response withoutCode = api.post(
                        "/api/v1/auth/mfa/disable",
                        Map.of("password", first.member().password(), "code", "12345"))
                .bearer(first.member().accessToken())
                .send();
        assertThat(withoutCode.status()).isEqualTo(400);
        Api.Response disabled = api.post(
                        "/api/v1/auth/mfa/disable",
                        Map.of(
                                "password",
                                first.member().password(),
                                "code",
                                first.recoveryCodes().get(2)))
                .bearer(first.member().accessToken())
                .send();
        assertThat(disabled.status()).as(disabled.toString()).isEqualTo(204);
        assertThat(login(first.member(), Map.of()).status()).isEqualTo(200);

        Enrolled second = enrolled("MFA reset");
        String reset = "/api/v1/admin/users/" + second.member().id() + "/mfa/reset";
        assertThat(api.post(reset, Map.of()).send().status()).isEqualTo(401);
        assertThat(api.post(reset, Map.of())
                        .bearer(first.member().accessToken())
                        .send()
                        .status())
                .isEqualTo(403);
        assertThat(login(second.member(), Map.of()).status()).isEqualTo(401);
        assertThat(api.post(reset, Map.of()).bearer(fixture.adminToken()).send().status())
                .isEqualTo(204);
        assertThat(login(second.member(), Map.of()).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/auth/me")
                        .bearer(second.member().accessToken())
                        .send()
                        .status())
                .as("the reset ended the user's sessions")
                .isEqualTo(401);
        assertThat(api.get("/api/v1/audit?action=auth.mfa_reset&target_id="
                                + second.member().id())
                        .bearer(fixture.adminToken())
                        .send()
                        .json()
                        .get("total")
                        .asLong())
                .isEqualTo(1);
        assertThat(api.post("/api/v1/admin/users/" + UUID.randomUUID() + "/mfa/reset", Map.of())
                        .bearer(fixture.adminToken())
                        .send()
                        .status())
                .isEqualTo(404);
    }

    @Test
    void aTenantThatRequiresMfaLetsNoMemberInWithoutIt() {
        UUID tenant = fixture.tenant("MFA required");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.Member member = fixture.member(tenant, "viewer");
        Api.Response required = api.patch("/api/v1/tenants/" + tenant, Map.of("require_mfa", true))
                .bearer(admin.accessToken())
                .send();
        assertThat(required.status()).as(required.toString()).isEqualTo(200);
        assertThat(required.json().get("require_mfa").asBoolean()).isTrue();

        Api.Response login = login(member, Map.of());
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.json().get("tenant").isNull())
                .as("no tenant without MFA")
                .isTrue();
        String token = login.json().get("access_token").asString();
        JsonNode me = api.get("/api/v1/auth/me").bearer(token).send().json();
        assertThat(me.get("mfa_enrollment_required").asBoolean()).isTrue();
        Api.Response entering = api.post("/api/v1/auth/switch-tenant", Map.of("tenant_id", tenant.toString()))
                .bearer(token)
                .send();
        assertThat(entering.status()).isEqualTo(403);
        assertThat(entering.json().get("mfa_enrollment_required").asBoolean()).isTrue();

        long step = Totp.step();
        String secret = enrolAndConfirm(member.password(), token, step);
        Api.Response withMfa = login(member, Map.of("totp_code", Totp.code(secret, step + 1)));
        assertThat(withMfa.status()).isEqualTo(200);
        assertThat(withMfa.json().at("/tenant/id").asString()).isEqualTo(tenant.toString());
    }

    @Test
    void noEndpointOfATenantThatRequiresMfaServesAMemberOrSystemAdminWithoutIt() {
        UUID tenant = fixture.tenant("MFA everywhere");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.Member other = fixture.member(tenant, "admin");
        Fixture.Member victim = fixture.member(tenant, "viewer");
        assertThat(api.patch("/api/v1/tenants/" + tenant, Map.of("require_mfa", true))
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(200);

        String tenantless = login(other, Map.of()).json().get("access_token").asString();
        String base = "/api/v1/tenants/" + tenant;
        List<Api.Call> attacks = List.of(
                api.get(base),
                api.get(base + "/users"),
                api.get(base + "/stats"),
                api.get(base + "/quotas"),
                api.get(base + "/users/invitations"),
                api.patch(base, Map.of("require_mfa", false)),
                api.post(base + "/users/invite", Map.of("email", Fixture.unique("x") + "@it.example", "role", "admin")),
                api.delete(base + "/users/" + victim.id()),
                api.patch(base + "/users/" + victim.id() + "/role", Map.of("role", "admin")));
        for (String token : List.of(tenantless, other.accessToken(), fixture.adminToken())) {
            for (Api.Call attack : attacks) {
                Api.Response refused = attack.bearer(token).send();
                assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
                assertThat(refused.json().get("mfa_enrollment_required").asBoolean())
                        .as(refused.toString())
                        .isTrue();
            }
        }
        assertThat(api.get("/api/v1/devices").bearer(admin.accessToken()).send().status())
                .as("a token issued before the tenant required MFA acts in it no more")
                .isEqualTo(403);
        assertThat(api.get("/api/v1/tenants")
                        .bearer(fixture.adminToken())
                        .send()
                        .status())
                .as("what names no tenant stays open")
                .isEqualTo(200);
        assertThat(api.post("/api/v1/auth/switch-tenant", Map.of("tenant_id", tenant.toString()))
                        .bearer(fixture.adminToken())
                        .send()
                        .status())
                .as("a system admin without MFA does not enter it either")
                .isEqualTo(403);

        enrolAndConfirm(other.password(), tenantless, Totp.step());
        Api.Response users = api.get(base + "/users").bearer(tenantless).send();
        assertThat(users.status()).as("MFA on: the member is served again").isEqualTo(200);
        Api.Response tenantRead = api.get(base).bearer(tenantless).send();
        assertThat(tenantRead.json().get("require_mfa").asBoolean()).isTrue();
    }

    /** A member of a new tenant with MFA on. */
    private Enrolled enrolled(String tenantName) {
        Fixture.Member member = fixture.member(fixture.tenant(tenantName), "operator");
        String secret = api.post("/api/v1/auth/mfa/enroll", Map.of("password", member.password()))
                .bearer(member.accessToken())
                .send()
                .json()
                .get("secret")
                .asString();
        long step = Totp.step();
        Api.Response confirmed = confirm(member, Totp.code(secret, step));
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
        List<String> codes = confirmed
                .json()
                .get("recovery_codes")
                .valueStream()
                .map(JsonNode::asString)
                .toList();
        return new Enrolled(member, secret, codes, step);
    }

    /** Turns MFA on for the token's user, confirmed with the code of {@code step}; the secret. */
    private String enrolAndConfirm(String password, String token, long step) {
        String secret = api.post("/api/v1/auth/mfa/enroll", Map.of("password", password))
                .bearer(token)
                .send()
                .json()
                .get("secret")
                .asString();
        Api.Response confirmed = api.post("/api/v1/auth/mfa/confirm", Map.of("code", Totp.code(secret, step)))
                .bearer(token)
                .send();
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
        return secret;
    }

    private Api.Response confirm(Fixture.Member member, String code) {
        return api.post("/api/v1/auth/mfa/confirm", Map.of("code", code))
                .bearer(member.accessToken())
                .send();
    }

    private Api.Response login(Fixture.Member member, Map<String, String> codes) {
        Map<String, String> body = new java.util.HashMap<>(codes);
        body.put("email", member.email());
        body.put("password", member.password());
        return api.post("/api/v1/auth/login", body).from(Fixture.freshIp()).send();
    }
}
