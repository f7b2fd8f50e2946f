package io.insa.iiot.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.shared.Secrets;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Login, legacy hashes, rate limits, lockout, token validity, refresh rotation and tenant switching. */
class AuthIT extends IntegrationTest {

    @Autowired
    SecretKey accessTokenKey;

    @Test
    void legacySha256UserLogsInAndIsUpgradedToBcrypt() throws SQLException {
        String email = Fixture.unique("legacy") + "@it.example";
        Api.Response imported = api.post(
                        "/api/v1/admin/users/import",
                        Map.of(
                                "users",
                                List.of(Map.of(
                                        "email",
                                        email,
                                        "name",
                                        "Old Timer",
                                        "password_sha256",
                                        Secrets.sha256Hex("legacy-pass-1")))))
                .bearer(fixture.adminToken())
                .send();
        assertThat(imported.status()).as(imported.toString()).isEqualTo(200);
        assertThat(imported.json().get("created").asInt()).isEqualTo(1);
        assertThat(storedHash(email)).isEqualTo("{sha256}" + Secrets.sha256Hex("legacy-pass-1"));

        assertThat(login(email, "legacy-pass-2").status()).isEqualTo(401);
        assertThat(storedHash(email)).startsWith("{sha256}");

        assertThat(login(email, "legacy-pass-1").status()).isEqualTo(200);
        assertThat(storedHash(email)).startsWith("{bcrypt}$2a$12$");

        assertThat(login(email, "legacy-pass-1").status()).isEqualTo(200);
        assertThat(login(email, "legacy-pass-2").status()).isEqualTo(401);
    }

    @Test
    void onlySystemAdministratorsImportUsers() {
        UUID tenant = fixture.tenant("Importers");
        String adminToken = fixture.member(tenant, "admin").accessToken();
        Api.Response response = api.post(
                        "/api/v1/admin/users/import",
                        Map.of(
                                "users",
                                List.of(Map.of(
                                        "email",
                                        Fixture.unique("x") + "@it.example",
                                        "password_sha256",
                                        Secrets.sha256Hex("x")))))
                .bearer(adminToken)
                .send();
        assertThat(response.status()).isEqualTo(403);
    }

    @Test
    void sixthLoginAttemptWithinAMinuteFromOneAddressGets429WithRetryAfter() {
        String ip = Fixture.freshIp();
        for (int i = 0; i < 5; i++) {
            Api.Response attempt = api.post(
                            "/api/v1/auth/login",
                            Map.of("email", Fixture.unique("nobody") + "@it.example", "password", "whatever-123"))
                    .from(ip)
                    .send();
            assertThat(attempt.status()).as(attempt.toString()).isEqualTo(401);
        }
        Api.Response sixth = api.post(
                        "/api/v1/auth/login", Map.of("email", "other@it.example", "password", "whatever-123"))
                .from(ip)
                .send();
        assertThat(sixth.status()).isEqualTo(429);
        assertThat(Integer.parseInt(sixth.header("Retry-After"))).isBetween(1, 60);
        assertThat(sixth.json().get("detail").asString()).contains("5 per minute");

        Api.Response elsewhere = api.post(
                        "/api/v1/auth/login", Map.of("email", "other@it.example", "password", "whatever-123"))
                .from(Fixture.freshIp())
                .send();
        assertThat(elsewhere.status()).as("another address is not limited").isEqualTo(401);
    }

    @Test
    void accessTokenCarriesTheClaimsOfTheActiveTenant() {
        UUID tenant = fixture.tenant("Claims");
        Fixture.Member admin = fixture.member(tenant, "admin");
        JsonNode claims = claims(admin.accessToken());
        assertThat(claims.get("sub").asString()).isEqualTo(admin.id().toString());
        assertThat(claims.get("tenant_id").asString()).isEqualTo(tenant.toString());
        assertThat(claims.get("role").asString()).isEqualTo("admin");
        assertThat(claims.get("is_tenant_admin").asBoolean()).isTrue();
        assertThat(claims.get("is_admin").asBoolean()).isFalse();
        assertThat(claims.get("tenant_slug").asString()).startsWith("claims-");
        assertThat(claims.get("permissions").isArray()).isTrue();
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(15 * 60);
    }

    @Test
    void tamperedForgedExpiredAndRevokedTokensGet401() {
        UUID tenant = fixture.tenant("Tokens");
        Fixture.Member viewer = fixture.member(tenant, "viewer");
        assertThat(me(viewer.accessToken()).status()).isEqualTo(200);

        String[] parts = viewer.accessToken().split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"role\":\"viewer\"", "\"role\":\"admin\"");
        assertThat(payload).contains("\"role\":\"admin\"");
        String tampered = parts[0] + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "."
                + parts[2];
        assertThat(me(tampered).status()).isEqualTo(401);

        SecretKey otherKey = new SecretKeySpec(Secrets.newToken().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        String sid = claims(viewer.accessToken()).get("sid").asString();
        assertThat(me(mint(otherKey, viewer.id(), sid, Instant.now().plusSeconds(600)))
                        .status())
                .isEqualTo(401);
        assertThat(me(mint(accessTokenKey, viewer.id(), sid, Instant.now().plusSeconds(600)))
                        .status())
                .as("the same claims signed with the platform's key are accepted")
                .isEqualTo(200);
        Api.Response expired =
                me(mint(accessTokenKey, viewer.id(), sid, Instant.now().minusSeconds(120)));
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.header("Content-Type")).startsWith("application/problem+json");

        assertThat(api.post("/api/v1/auth/logout", null)
                        .bearer(viewer.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        assertThat(me(viewer.accessToken()).status()).as("revoked by logout").isEqualTo(401);
        assertThat(refresh(viewer.refreshToken()).status())
                .as("the refresh token dies with the session")
                .isEqualTo(401);
    }

    @Test
    void refreshRotatesAndReuseRevokesTheWholeFamily() {
        UUID tenant = fixture.tenant("Refresh");
        Fixture.Member member = fixture.member(tenant, "operator");
        Api.Response first = refresh(member.refreshToken());
        assertThat(first.status()).isEqualTo(200);
        String second = first.json().get("refresh_token").asString();
        String access = first.json().get("access_token").asString();
        assertThat(second).isNotEqualTo(member.refreshToken());
        assertThat(first.json().at("/tenant/id").asString()).isEqualTo(tenant.toString());
        assertThat(me(access).status()).isEqualTo(200);

        Api.Response reuse = refresh(member.refreshToken());
        assertThat(reuse.status()).isEqualTo(401);
        assertThat(reuse.json().get("detail").asString()).contains("reuse");

        assertThat(refresh(second).status()).as("the family is revoked").isEqualTo(401);
        assertThat(me(access).status()).as("and so are its access tokens").isEqualTo(401);
        assertThat(audit("action=auth.refresh_reuse").get("items"))
                .anySatisfy(e -> assertThat(e.get("actor_id").asString())
                        .isEqualTo(member.id().toString()));
    }

    @Test
    void aMemberOfTwoTenantsSwitchesBetweenThem() {
        UUID a = fixture.tenant("Switch A");
        UUID b = fixture.tenant("Switch B");
        UUID c = fixture.tenant("Switch C");
        Fixture.Member member = fixture.member(a, "viewer");
        fixture.addExisting(b, member, "operator");

        Api.Response switched = api.post("/api/v1/auth/switch-tenant", Map.of("tenant_id", b.toString()))
                .bearer(member.accessToken())
                .send();
        assertThat(switched.status()).as(switched.toString()).isEqualTo(200);
        assertThat(claims(switched.json().get("access_token").asString())
                        .get("role")
                        .asString())
                .isEqualTo("operator");
        JsonNode me = me(switched.json().get("access_token").asString()).json();
        assertThat(me.at("/tenant/id").asString()).isEqualTo(b.toString());
        assertThat(me.get("memberships")).hasSize(2);

        Api.Response refused = api.post("/api/v1/auth/switch-tenant", Map.of("tenant_id", c.toString()))
                .bearer(switched.json().get("access_token").asString())
                .send();
        assertThat(refused.status()).isEqualTo(403);

        Api.Response entered = api.post("/api/v1/auth/switch-tenant", Map.of("tenant_id", c.toString()))
                .bearer(fixture.adminToken())
                .send();
        assertThat(entered.status()).isEqualTo(200);
        assertThat(audit("action=auth.switch_tenant&tenant_id=" + c).get("items"))
                .anySatisfy(e -> assertThat(e.at("/details/system_admin_entry").asBoolean())
                        .isTrue());
    }

    @Test
    void passwordChangeNeedsTheCurrentPasswordAndEndsOtherSessions() {
        UUID tenant = fixture.tenant("Passwords");
        Fixture.Member member = fixture.member(tenant, "viewer");
        String otherSession = login(member.email(), member.password())
                .json()
                .get("access_token")
                .asString();

        Api.Response wrong = api.post(
                        "/api/v1/auth/password",
                        Map.of("current_password", "nope-nope", "new_password", "brand-new-pass"))
                .bearer(member.accessToken())
                .send();
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.json().get("field").asString()).isEqualTo("current_password");

        Api.Response changed = api.post(
                        "/api/v1/auth/password",
                        Map.of("current_password", member.password(), "new_password", "brand-new-pass"))
                .bearer(member.accessToken())
                .send();
        assertThat(changed.status()).isEqualTo(204);
        assertThat(me(member.accessToken()).status()).as("this session stays").isEqualTo(200);
        assertThat(me(otherSession).status()).as("other sessions end").isEqualTo(401);
        assertThat(login(member.email(), member.password()).status()).isEqualTo(401);
        assertThat(login(member.email(), "brand-new-pass").status()).isEqualTo(200);
    }

    @Test
    void responsesCarrySecurityHeaders() {
        Api.Response response = api.get("/api/v1/health").send();
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("status").asString()).isEqualTo("UP");
        assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(response.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(response.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
        assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
    }

    private Api.Response login(String email, String password) {
        return api.post("/api/v1/auth/login", Map.of("email", email, "password", password))
                .from(Fixture.freshIp())
                .send();
    }

    private Api.Response refresh(String token) {
        return api.post("/api/v1/auth/refresh", Map.of("refresh_token", token)).send();
    }

    private Api.Response me(String token) {
        return api.get("/api/v1/auth/me").bearer(token).send();
    }

    private JsonNode audit(String query) {
        Api.Response response =
                api.get("/api/v1/audit?" + query).bearer(fixture.adminToken()).send();
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private static JsonNode claims(String jwt) {
        return JsonMapper.builder().build().readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    private static String mint(SecretKey key, UUID user, String sid, Instant expiresAt) {
        JwtClaimsSet claims = JwtClaimsSet.builder()
                .subject(user.toString())
                .issuedAt(expiresAt.minusSeconds(900))
                .expiresAt(expiresAt)
                .claim("sid", sid)
                .claim("email", "x@it.example")
                .claim("is_admin", false)
                .build();
        return NimbusJwtEncoder.withSecretKey(key)
                .build()
                .encode(JwtEncoderParameters.from(
                        JwsHeader.with(MacAlgorithm.HS256).build(), claims))
                .getTokenValue();
    }

    private static String storedHash(String email) throws SQLException {
        try (Connection c = TestDatabase.get().connectAsApp();
                PreparedStatement s = c.prepareStatement("SELECT password_hash FROM users WHERE email = ?")) {
            s.setString(1, email);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }
}
