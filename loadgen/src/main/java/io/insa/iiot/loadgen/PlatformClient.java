package io.insa.iiot.loadgen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The platform's REST API as the load generator uses it: log in, create a tenant, provision devices,
 * create and delete rules.
 */
final class PlatformClient {

    static final int BULK_LIMIT = 10_000;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private String token;

    PlatformClient(String base) {
        this.base = base;
    }

    /**
     * Logs in as the system administrator named by the options, creates a tenant whose limits stay out
     * of the way, provisions {@code --devices} devices in it and returns their access tokens.
     */
    static List<String> provisionedDevices(Options options, String prefix) throws IOException, InterruptedException {
        return provisionedDevicesIn(options, prefix + "-" + Long.toString(System.currentTimeMillis(), 36));
    }

    /** The devices of a new tenant with the given slug (to find its data afterwards). */
    static List<String> provisionedDevicesIn(Options options, String slug) throws IOException, InterruptedException {
        return provisionedDevicesIn(options, slug, options.integer("devices", 10_000));
    }

    /** {@code count} devices, named load-0 to load-(count - 1), of a new tenant with the given slug. */
    static List<String> provisionedDevicesIn(Options options, String slug, int count)
            throws IOException, InterruptedException {
        PlatformClient api = admin(options);
        api.switchTenant(api.createTenant(slug, count));
        if (Boolean.parseBoolean(options.get("anomaly", "false"))) {
            api.call("PATCH", "/api/v1/analytics/anomaly", Map.of("enabled", true));
            System.out.println("anomaly detection on in the tenant, for every numeric key of every device");
        }
        long started = System.nanoTime();
        List<String> tokens = api.provision(count);
        System.out.printf(
                "provisioned %d devices in tenant %s through the API in %.1f s%n",
                tokens.size(), slug, (System.nanoTime() - started) / 1e9);
        return tokens;
    }

    /** Logged in as the system administrator the options name ({@code --admin-email}, its password). */
    static PlatformClient admin(Options options) throws IOException, InterruptedException {
        PlatformClient api = new PlatformClient(options.get("url", "http://127.0.0.1:8080"));
        String password = options.get("admin-password", null);
        if (password == null) {
            password = java.nio.file.Files.readString(
                            java.nio.file.Path.of(options.get("admin-password-file", "data/admin-password.txt")))
                    .strip();
        }
        api.login(options.get("admin-email", "admin@localhost"), password);
        return api;
    }

    void login(String email, String password) throws IOException, InterruptedException {
        token = call("POST", "/api/v1/auth/login", Map.of("email", email, "password", password))
                .get("access_token")
                .asString();
    }

    /** A tenant whose limits stay out of the benchmark's way; returns its id. */
    String createTenant(String slug, int devices) throws IOException, InterruptedException {
        JsonNode tenant = call(
                "POST",
                "/api/v1/tenants",
                Map.of(
                        "name",
                        "Load test " + slug,
                        "slug",
                        slug,
                        "max_devices",
                        devices,
                        "max_messages_per_second",
                        10_000_000,
                        "max_telemetry_points_per_day",
                        Long.MAX_VALUE / 4));
        return tenant.get("id").asString();
    }

    void switchTenant(String tenantId) throws IOException, InterruptedException {
        token = call("POST", "/api/v1/auth/switch-tenant", Map.of("tenant_id", tenantId))
                .get("access_token")
                .asString();
    }

    /** Creates {@code count} devices in bulk calls; returns their access tokens. */
    List<String> provision(int count) throws IOException, InterruptedException {
        List<String> tokens = new ArrayList<>(count);
        for (int from = 0; from < count; from += BULK_LIMIT) {
            List<Map<String, Object>> devices = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + BULK_LIMIT); i++) {
                devices.add(Map.of("name", "load-" + i, "type", "load"));
            }
            call("POST", "/api/v1/devices/bulk", Map.of("devices", devices))
                    .get("devices")
                    .forEach(d -> tokens.add(d.get("access_token").asString()));
        }
        return tokens;
    }

    /** Creates a rule in the current tenant ({@code POST /api/v1/rules}, snake_case fields); returns its id. */
    String createRule(Map<String, Object> rule) throws IOException, InterruptedException {
        return call("POST", "/api/v1/rules", rule).get("id").asString();
    }

    void deleteRule(String id) throws IOException, InterruptedException {
        call("DELETE", "/api/v1/rules/" + id, null);
    }

    /** The answer's JSON, null when it has no body (204); a body of null sends none. */
    private JsonNode call(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(
                    method + " " + path + " -> " + response.statusCode() + " " + response.body());
        }
        return response.body().isEmpty() ? null : JSON.readTree(response.body());
    }
}
