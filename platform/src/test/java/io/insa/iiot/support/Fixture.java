package io.insa.iiot.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/** Builds tenants and members through the public API, as an operator would. */
public final class Fixture {

    private static final AtomicInteger ADDRESSES = new AtomicInteger(1);
    private static final Duration ADMIN_TOKEN_REUSE = Duration.ofMinutes(10);

    private record AdminSession(String accessToken, long loggedInAt) {}

    private static volatile AdminSession admin;

    private final Api api;

    Fixture(Api api) {
        this.api = api;
    }

    /** A member of a tenant: who they are and the tokens of their session. */
    public record Member(UUID id, String email, String password, String accessToken, String refreshToken) {}

    /** A client address no other test uses, so login rate limits of one test do not touch another. */
    public static String freshIp() {
        int n = ADDRESSES.getAndIncrement();
        return "10." + ((n >> 16) & 255) + "." + ((n >> 8) & 255) + "." + (n & 255);
    }

    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * The system administrator's access token, from a login at most {@link #ADMIN_TOKEN_REUSE} ago: a
     * whole run takes longer than the token lives (15 minutes).
     */
    public String adminToken() {
        AdminSession session = admin;
        if (session == null || System.nanoTime() - session.loggedInAt() > ADMIN_TOKEN_REUSE.toNanos()) {
            session = new AdminSession(
                    login(IntegrationTest.ADMIN_EMAIL, IntegrationTest.ADMIN_PASSWORD)
                            .get("access_token")
                            .asString(),
                    System.nanoTime());
            admin = session;
        }
        return session.accessToken();
    }

    public JsonNode login(String email, String password) {
        Api.Response response = api.post("/api/v1/auth/login", Map.of("email", email, "password", password))
                .from(freshIp())
                .send();
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    public UUID tenant(String name) {
        return tenant(name, Map.of());
    }

    public UUID tenant(String name, Map<String, Object> quotas) {
        var body = new java.util.HashMap<String, Object>(quotas);
        body.put("name", name);
        body.put("slug", unique(name.toLowerCase().replaceAll("[^a-z0-9]", "")));
        Api.Response response =
                api.post("/api/v1/tenants", body).bearer(adminToken()).send();
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return UUID.fromString(response.json().get("id").asString());
    }

    /** Invites a new user into the tenant with the role, and accepts the invitation. */
    public Member member(UUID tenant, String role) {
        String email = unique(role) + "@it.example";
        Api.Response invite = api.post(
                        "/api/v1/tenants/" + tenant + "/users/invite", Map.of("email", email, "role", role))
                .bearer(adminToken())
                .send();
        assertThat(invite.status()).as(invite.toString()).isEqualTo(201);
        String password = "pw-" + UUID.randomUUID();
        Api.Response accepted = api.post(
                        "/api/v1/auth/accept-invite",
                        Map.of("token", Mailbox.invitationToken(email), "password", password, "name", "Test " + role))
                .send();
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
        JsonNode tokens = accepted.json();
        return new Member(
                UUID.fromString(tokens.at("/user/id").asString()),
                email,
                password,
                tokens.get("access_token").asString(),
                tokens.get("refresh_token").asString());
    }

    /** A device created in the member's active tenant: its id and access token. */
    public record DeviceHandle(UUID id, String token) {}

    public DeviceHandle device(String accessToken, String name) {
        Api.Response created = api.post("/api/v1/devices", Map.of("name", name, "type", "sensor"))
                .bearer(accessToken)
                .send();
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new DeviceHandle(
                UUID.fromString(created.json().at("/device/id").asString()),
                created.json().get("access_token").asString());
    }

    /**
     * Ends a device's access as an operator would: {@code "delete"} deletes the device, anything else
     * rotates its token. Returns the response.
     */
    public Api.Response revoke(String accessToken, UUID device, String how) {
        Api.Call call = "delete".equals(how)
                ? api.delete("/api/v1/devices/" + device)
                : api.post("/api/v1/devices/" + device + "/token", Map.of());
        return call.bearer(accessToken).send();
    }

    /** Turns anomaly detection on for every numeric key of the admin's tenant. */
    public void anomalyDetectionOn(String adminToken) {
        Api.Response on = api.patch("/api/v1/analytics/anomaly", Map.of("enabled", true))
                .bearer(adminToken)
                .send();
        assertThat(on.status()).as(on.toString()).isEqualTo(200);
    }

    /** Posts telemetry with a device token; returns the response. */
    public Api.Response telemetry(String deviceToken, Object payload) {
        return api.post("/api/v1/" + deviceToken + "/telemetry", payload).send();
    }

    /** Invites an existing user to another tenant; the user accepts the invitation while logged in. */
    public void addExisting(UUID tenant, Member member, String role) {
        Api.Response invite = api.post(
                        "/api/v1/tenants/" + tenant + "/users/invite", Map.of("email", member.email(), "role", role))
                .bearer(adminToken())
                .send();
        assertThat(invite.status()).as(invite.toString()).isEqualTo(201);
        String invitation = invite.json().at("/invitation/id").asString();
        Api.Response accepted = api.post("/api/v1/auth/invitations/" + invitation + "/accept", Map.of())
                .bearer(member.accessToken())
                .send();
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
    }
}
