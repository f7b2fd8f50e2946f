package io.insa.iiot.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The authorization matrix of SPEC 3.3: every tenant endpoint, as every kind of caller, against the
 * caller's tenant, another tenant and a tenant that does not exist; with the response shapes of
 * SPEC 3.4 on success.
 */
class TenantApiAuthorizationIT extends IntegrationTest {

    enum Who {
        ANONYMOUS,
        SYSTEM_ADMIN,
        ADMIN_A,
        OPERATOR_A,
        VIEWER_A,
        ADMIN_B
    }

    enum Target {
        A,
        B,
        NONE
    }

    /** What a case needs: the tenant id it addresses and a member of it that may be removed or changed. */
    /** The tenant addressed, and a member of it to remove or re-role, made only for the endpoints that need one. */
    record Scene(UUID tenant, Supplier<UUID> member) {
        UUID victim() {
            return member.get();
        }
    }

    /**
     * One endpoint: how to call it, and the expected status per caller (rows, in {@link Who} order)
     * and target (columns, in {@link Target} order).
     */
    record Endpoint(String name, BiFunction<Api, Scene, Api.Call> call, String expected, Shape shape) {

        int expected(Who who, Target target) {
            String[] groups = expected.split("\\|");
            String[] statuses = groups[who.ordinal()].trim().split("\\s+");
            return Integer.parseInt(statuses[target.ordinal()]);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    interface Shape {
        void check(JsonNode body);
    }

    private static final Set<String> TENANT = Set.of(
            "id",
            "name",
            "slug",
            "status",
            "max_devices",
            "max_users",
            "max_telemetry_points_per_day",
            "max_retention_days",
            "max_messages_per_second",
            "require_mfa",
            "created_at",
            "updated_at");
    private static final Set<String> TENANT_USER =
            Set.of("id", "email", "name", "role", "is_tenant_admin", "status", "joined_at");
    private static final Set<String> ENVELOPE = Set.of("items", "page", "size", "total");

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint(
                    "GET /tenants",
                    (api, s) -> api.get("/api/v1/tenants"),
                    "401 401 401 | 200 200 200 | 403 403 403 | 403 403 403 | 403 403 403 | 403 403 403",
                    body -> envelope(body, TENANT)),
            new Endpoint(
                    "POST /tenants",
                    (api, s) ->
                            api.post("/api/v1/tenants", Map.of("name", "Created", "slug", Fixture.unique("created"))),
                    "401 401 401 | 201 201 201 | 403 403 403 | 403 403 403 | 403 403 403 | 403 403 403",
                    body -> keys(body, TENANT)),
            new Endpoint(
                    "GET /tenants/{id}",
                    (api, s) -> api.get("/api/v1/tenants/" + s.tenant()),
                    "401 401 401 | 200 200 404 | 200 403 403 | 200 403 403 | 200 403 403 | 403 200 403",
                    body -> keys(body, TENANT)),
            new Endpoint(
                    "PATCH /tenants/{id}",
                    (api, s) -> api.patch("/api/v1/tenants/" + s.tenant(), Map.of("name", "Renamed")),
                    "401 401 401 | 200 200 404 | 200 403 403 | 403 403 403 | 403 403 403 | 403 200 403",
                    body -> {
                        keys(body, TENANT);
                        assertThat(body.get("name").asString()).isEqualTo("Renamed");
                    }),
            new Endpoint(
                    "GET /tenants/{id}/stats",
                    (api, s) -> api.get("/api/v1/tenants/" + s.tenant() + "/stats"),
                    "401 401 401 | 200 200 404 | 200 403 403 | 200 403 403 | 200 403 403 | 403 200 403",
                    TenantApiAuthorizationIT::stats),
            new Endpoint(
                    "GET /tenants/{id}/users",
                    (api, s) -> api.get("/api/v1/tenants/" + s.tenant() + "/users"),
                    "401 401 401 | 200 200 404 | 200 403 403 | 200 403 403 | 200 403 403 | 403 200 403",
                    body -> envelope(body, TENANT_USER)),
            new Endpoint(
                    "POST /tenants/{id}/users/invite",
                    (api, s) -> api.post(
                            "/api/v1/tenants/" + s.tenant() + "/users/invite",
                            Map.of("email", Fixture.unique("invitee") + "@it.example", "role", "viewer")),
                    "401 401 401 | 201 201 404 | 201 403 403 | 403 403 403 | 403 403 403 | 403 201 403",
                    body -> {
                        keys(body, Set.of("user", "invitation"));
                        keys(body.get("user"), Set.of("email", "role", "status"));
                        keys(body.get("invitation"), Set.of("id", "expires_at"));
                    }),
            new Endpoint(
                    "GET /tenants/{id}/users/invitations",
                    (api, s) -> api.get("/api/v1/tenants/" + s.tenant() + "/users/invitations"),
                    "401 401 401 | 200 200 404 | 200 403 403 | 403 403 403 | 403 403 403 | 403 200 403",
                    body -> envelope(body, Set.of("id", "email", "role", "invited_at", "expires_at"))),
            new Endpoint(
                    "DELETE /tenants/{id}/users/{user_id}",
                    (api, s) -> api.delete("/api/v1/tenants/" + s.tenant() + "/users/" + s.victim()),
                    "401 401 401 | 204 204 404 | 204 403 403 | 403 403 403 | 403 403 403 | 403 204 403",
                    body -> assertThat(body.isNull() || body.isMissingNode()).isTrue()),
            new Endpoint(
                    "PATCH /tenants/{id}/users/{user_id}/role",
                    (api, s) -> api.patch(
                            "/api/v1/tenants/" + s.tenant() + "/users/" + s.victim() + "/role",
                            Map.of("role", "operator")),
                    "401 401 401 | 200 200 404 | 200 403 403 | 403 403 403 | 403 403 403 | 403 200 403",
                    body -> {
                        keys(body, TENANT_USER);
                        assertThat(body.get("role").asString()).isEqualTo("operator");
                    }),
            new Endpoint(
                    "GET /tenants/{id}/quotas",
                    (api, s) -> api.get("/api/v1/tenants/" + s.tenant() + "/quotas"),
                    "401 401 401 | 200 200 404 | 200 403 403 | 200 403 403 | 200 403 403 | 403 200 403",
                    TenantApiAuthorizationIT::quotas));

    private static UUID tenantA;
    private static UUID tenantB;
    private static final Map<Who, String> TOKENS = new EnumMap<>(Who.class);

    @BeforeEach
    void world() {
        if (tenantA != null) {
            return;
        }
        tenantA = fixture.tenant("Tenant A", Map.of("max_users", 1000));
        tenantB = fixture.tenant("Tenant B", Map.of("max_users", 1000));
        TOKENS.put(Who.SYSTEM_ADMIN, fixture.adminToken());
        TOKENS.put(Who.ADMIN_A, fixture.member(tenantA, "admin").accessToken());
        TOKENS.put(Who.OPERATOR_A, fixture.member(tenantA, "operator").accessToken());
        TOKENS.put(Who.VIEWER_A, fixture.member(tenantA, "viewer").accessToken());
        TOKENS.put(Who.ADMIN_B, fixture.member(tenantB, "admin").accessToken());
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Endpoint endpoint : ENDPOINTS) {
            for (Who who : Who.values()) {
                for (Target target : Target.values()) {
                    all.add(Arguments.of(endpoint, who, target));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} as {1} on tenant {2}")
    @MethodSource("cases")
    void statusAndShapeFollowTheMatrix(Endpoint endpoint, Who who, Target target) {
        Scene scene = scene(target);

        Api.Response response =
                endpoint.call().apply(api, scene).bearer(TOKENS.get(who)).send();

        int expected = endpoint.expected(who, target);
        assertThat(response.status()).as(response.toString()).isEqualTo(expected);
        if (expected < 300) {
            endpoint.shape().check(response.json());
        } else {
            assertThat(response.header("Content-Type")).startsWith("application/problem+json");
            assertThat(response.json().get("status").asInt()).isEqualTo(expected);
            assertThat(response.json().get("detail").asString()).isNotBlank();
        }
    }

    private Scene scene(Target target) {
        return switch (target) {
            case A -> new Scene(tenantA, () -> fixture.member(tenantA, "viewer").id());
            case B -> new Scene(tenantB, () -> fixture.member(tenantB, "viewer").id());
            case NONE -> new Scene(UUID.randomUUID(), UUID::randomUUID);
        };
    }

    static void keys(JsonNode body, Set<String> expected) {
        assertThat(body.propertyNames()).containsExactlyInAnyOrderElementsOf(expected);
    }

    static void envelope(JsonNode body, Set<String> itemKeys) {
        keys(body, ENVELOPE);
        assertThat(body.get("items").isArray()).isTrue();
        assertThat(body.get("items").size()).isPositive();
        body.get("items").forEach(item -> keys(item, itemKeys));
        assertThat(body.get("total").asLong())
                .isGreaterThanOrEqualTo(body.get("items").size());
    }

    static void stats(JsonNode body) {
        keys(body, Set.of("tenant_id", "devices", "users", "telemetry", "alerts"));
        keys(body.get("devices"), Set.of("total", "online"));
        keys(body.get("telemetry"), Set.of("points_today", "points_total", "oldest_data_age_days"));
        keys(body.get("alerts"), Set.of("active"));
        assertThat(body.get("users").asLong()).isPositive();
    }

    static void quotas(JsonNode body) {
        keys(body, Set.of("devices", "users", "telemetry_points", "data_retention"));
        keys(body.get("devices"), Set.of("used", "limit", "percentage"));
        keys(body.get("users"), Set.of("used", "limit", "percentage"));
        keys(body.get("telemetry_points"), Set.of("used_today", "limit_per_day", "percentage"));
        keys(body.get("data_retention"), Set.of("current_days", "oldest_data_age_days"));
        assertThat(body.at("/users/limit").asLong()).isEqualTo(1000);
    }
}
