package io.insa.iiot.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.IntegrationTest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * What operators and API users reach without logging in: health and the API description on the main
 * port; metrics and the rest of Actuator on the management port, which listens on loopback only.
 */
class OperatorEndpointsIT extends IntegrationTest {

    @Test
    void healthIsPublicAndRevealsNothingElse() {
        Api.Response health = api.get("/api/v1/health").send();
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().propertyNames()).containsExactly("status");
        Api.Response actuatorHealth = api.get("/actuator/health").send();
        assertThat(actuatorHealth.status()).isEqualTo(200);
        assertThat(actuatorHealth.json().propertyNames()).containsExactly("status");
        assertThat(actuatorHealth.json().get("status").asString()).isEqualTo("UP");
        assertThat(management
                        .get("/actuator/health")
                        .send()
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("UP");
    }

    @Test
    void prometheusMetricsIncludeTheJvmAndTheConnectionPool() {
        Api.Response metrics = management.get("/actuator/prometheus").send();
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.text())
                .contains("jvm_memory_used_bytes", "hikaricp_connections_active", "http_server_requests");
    }

    @Test
    void theStartupEndpointIsThereWhenTheStartRecordedNoSteps() {
        // present whatever the build decided (Spring AOT), empty without insa.startup-steps
        Api.Response startup = management.get("/actuator/startup").send();
        assertThat(startup.status()).as(startup.toString()).isEqualTo(200);
        assertThat(startup.json().at("/timeline/events").isEmpty()).isTrue();
    }

    @Test
    void theMainPortServesNoMetricsAndNoOtherActuatorEndpoint() {
        assertThat(managementPort).isNotEqualTo(port);
        for (String path :
                new String[] {"/actuator/prometheus", "/actuator/info", "/actuator", "/actuator/health/liveness"}) {
            Api.Response response = api.get(path).send();
            assertThat(response.status()).as(path).isIn(401, 404);
            assertThat(response.text()).as(path).doesNotContain("jvm_memory_used_bytes");
        }
    }

    @Test
    @Timeout(30)
    void theManagementPortListensOnLoopbackOnly() throws IOException {
        Optional<InetAddress> external = externalAddress();
        Assumptions.assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address");
        try (Socket main = new Socket()) {
            main.connect(new InetSocketAddress(external.get(), port), 5_000);
            assertThat(main.isConnected())
                    .as("the main port is reachable from outside")
                    .isTrue();
        }
        assertThatThrownBy(() -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(external.get(), managementPort), 5_000);
                    }
                })
                .isInstanceOf(ConnectException.class);
    }

    private static Optional<InetAddress> externalAddress() throws SocketException {
        return NetworkInterface.networkInterfaces()
                .filter(nic -> {
                    try {
                        return nic.isUp() && !nic.isLoopback();
                    } catch (SocketException e) {
                        return false;
                    }
                })
                .flatMap(NetworkInterface::inetAddresses)
                .filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress())
                .findFirst();
    }

    @Test
    void ingestMetricsCountStoredPointsAndRejectionsByReason() {
        java.util.UUID tenant = fixture.tenant("Metrics");
        var operator = fixture.member(tenant, "operator");
        var device = fixture.device(operator.accessToken(), "counted");
        assertThat(fixture.telemetry(device.token(), "{\"a\": 1, \"b\": 2}").status())
                .isEqualTo(200);
        assertThat(fixture.telemetry(device.token(), "{\"a\": ").status()).isEqualTo(400);
        String metrics = management.get("/actuator/prometheus").send().text();
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
                        "/api/v1/audit",
                        "/api/v1/rules",
                        "/api/v1/rules/{id}",
                        "/api/v1/alerts",
                        "/api/v1/alerts/{id}/acknowledge",
                        "/api/v1/notifications");
        // the schemas name properties as the API writes them
        JsonNode schemas = docs.json().at("/components/schemas");
        assertThat(schemas.at("/AuthTokenResponse/properties").propertyNames())
                .contains("access_token", "refresh_token", "expires_in");
        assertThat(schemas.at("/Alert/properties").propertyNames()).contains("rule_id", "started_at", "cleared_by");
        assertThat(schemas.at("/RuleDefinition/properties").propertyNames()).contains("clear_condition");
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
