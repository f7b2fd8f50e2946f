package io.insa.iiot.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.IntegrationTest;
import org.junit.jupiter.api.Test;

/** What operators and API users reach without logging in: health, metrics and the API description. */
class OperatorEndpointsIT extends IntegrationTest {

    @Test
    void healthIsPublicAndRevealsNothingElse() {
        Api.Response health = api.get("/api/v1/health").send();
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().propertyNames()).containsExactly("status");
        assertThat(api.get("/actuator/health").send().json().get("status").asString())
                .isEqualTo("UP");
    }

    @Test
    void prometheusMetricsIncludeTheJvmAndTheConnectionPool() {
        Api.Response metrics = api.get("/actuator/prometheus").send();
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.text())
                .contains("jvm_memory_used_bytes", "hikaricp_connections_active", "http_server_requests");
    }

    @Test
    void ingestMetricsCountStoredPointsAndRejectionsByReason() {
        java.util.UUID tenant = fixture.tenant("Metrics");
        var operator = fixture.member(tenant, "operator");
        var device = fixture.device(operator.accessToken(), "counted");
        assertThat(fixture.telemetry(device.token(), "{\"a\": 1, \"b\": 2}").status())
                .isEqualTo(200);
        assertThat(fixture.telemetry(device.token(), "{\"a\": ").status()).isEqualTo(400);
        String metrics = api.get("/actuator/prometheus").send().text();
        assertThat(metrics)
                .contains(
                        "insa_ingest_points_total",
                        "insa_ingest_queue_depth",
                        "insa_ingest_batch_commit_seconds",
                        "insa_ingest_rejections_total{reason=\"malformed\"}");
        assertThat(value(metrics, "insa_ingest_points_total")).isGreaterThanOrEqualTo(2.0);
    }

    private static double value(String metrics, String name) {
        return metrics.lines()
                .filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.split(" ")[1]))
                .sum();
    }

    @Test
    void openApiDescribesTheTenantAndAuthEndpoints() {
        Api.Response docs = api.get("/v3/api-docs").send();
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.json().get("paths").propertyNames())
                .contains(
                        "/api/v1/tenants",
                        "/api/v1/tenants/{id}",
                        "/api/v1/tenants/{id}/stats",
                        "/api/v1/tenants/{id}/quotas",
                        "/api/v1/tenants/{tenantId}/users",
                        "/api/v1/tenants/{tenantId}/users/invite",
                        "/api/v1/tenants/{tenantId}/users/{userId}",
                        "/api/v1/tenants/{tenantId}/users/{userId}/role",
                        "/api/v1/auth/login",
                        "/api/v1/auth/refresh",
                        "/api/v1/api-keys",
                        "/api/v1/audit");
        assertThat(api.get("/swagger-ui/index.html").send().status()).isEqualTo(200);
    }

    @Test
    void everythingElseNeedsAuthentication() {
        for (String path : new String[] {"/api/v1/tenants", "/api/v1/auth/me", "/api/v1/api-keys", "/actuator/env"}) {
            Api.Response response = api.get(path).send();
            assertThat(response.status()).as(path).isEqualTo(401);
            assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        }
    }
}
