package io.insa.iiot.connector.opcua;

import io.insa.iiot.support.OpcUaTestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * OPC UA connector benchmark (docs/benchmarks.md; run with {@code scripts/opcua-bench.sh} against a
 * platform started with {@code ./iiot start}): in-process Milo servers whose variables change every
 * 100 ms, connectors created through the API, values stored per second read from the platform's
 * metrics, its CPU time from /proc and its heap from Actuator.
 */
public final class OpcUaLoad {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Map<String, String> options;
    private String token;

    private OpcUaLoad(Map<String, String> options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        new OpcUaLoad(options).run();
        System.exit(0);
    }

    private void run() throws Exception {
        int items = Integer.parseInt(options.getOrDefault("items", "5000"));
        int connectors = Integer.parseInt(options.getOrDefault("connectors", "50"));
        int duration = Integer.parseInt(options.getOrDefault("duration", "60"));
        long pid = Long.parseLong(options.getOrDefault("server-pid", "0"));
        login();
        String slug = "opcua-" + Long.toString(System.currentTimeMillis(), 36);
        JsonNode tenant = call(
                "POST",
                "/api/v1/tenants",
                Map.of(
                        "name",
                        "OPC UA load " + slug,
                        "slug",
                        slug,
                        "max_devices",
                        100_000,
                        "max_messages_per_second",
                        10_000_000,
                        "max_telemetry_points_per_day",
                        Long.MAX_VALUE / 4));
        token = call(
                        "POST",
                        "/api/v1/auth/switch-tenant",
                        Map.of("tenant_id", tenant.get("id").asString()))
                .get("access_token")
                .asString();

        System.out.printf(
                "method:  phase 1: one Milo server, %d variables changing every 100 ms (Double sine, String, Boolean toggling every second),"
                        + " one connector monitoring all of them (sampling and publishing 100 ms) into 50 devices; phase 2: %d connectors"
                        + " at once to one server, 20 items each; each phase warms up 15 s and measures %d s%n",
                items, connectors, duration);
        try (OpcUaTestServer server = OpcUaTestServer.start(Math.max(1, (items + 2) / 3))) {
            List<Map<String, Object>> mappings = new ArrayList<>();
            String[] kinds = {"Temperature", "Status", "Running"};
            for (int i = 0; i < items; i++) {
                mappings.add(mapping(server.nodeId(kinds[i % 3] + (i / 3)), "opc-" + (i % 50), "k" + i));
            }
            String id = connector(server, "one server, " + items + " items", mappings);
            phase("phase 1", List.of(id), duration, pid);
            call("DELETE", "/api/v1/connectors/opcua/" + id, null);
        }
        try (OpcUaTestServer server = OpcUaTestServer.start(10)) {
            long heapBefore = heap();
            long rssBefore = rss(pid);
            List<String> ids = new ArrayList<>();
            for (int c = 0; c < connectors; c++) {
                List<Map<String, Object>> mappings = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    mappings.add(mapping(server.nodeId("Temperature" + (i % 10)), "c" + c + "-" + (i % 2), "k" + i));
                }
                ids.add(connector(server, "connector " + c, mappings));
            }
            phase("phase 2", ids, duration, pid);
            System.out.printf(
                    "memory:  heap in use %d -> %d MiB (garbage collections in between make this noisy), RSS %d -> %d MiB"
                            + " with %d connectors: about %.0f KiB of RSS per connector%n",
                    heapBefore >> 20,
                    heap() >> 20,
                    rssBefore >> 10,
                    rss(pid) >> 10,
                    connectors,
                    (rss(pid) - rssBefore) / (double) connectors);
            for (String id : ids) {
                call("DELETE", "/api/v1/connectors/opcua/" + id, null);
            }
        }
    }

    private void phase(String name, List<String> ids, int duration, long pid) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        for (String id : ids) {
            while (!call("GET", "/api/v1/connectors/opcua/" + id + "/status", null)
                    .get("state")
                    .asString()
                    .equals("connected")) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(name + ": connector " + id + " did not connect");
                }
                Thread.sleep(200);
            }
        }
        Thread.sleep(15_000);
        double pointsBefore = metric("insa_ingest_points_total");
        long cpuBefore = cpuTicks(pid);
        long started = System.nanoTime();
        Thread.sleep(duration * 1000L);
        double seconds = (System.nanoTime() - started) / 1e9;
        double stored = (metric("insa_ingest_points_total") - pointsBefore) / seconds;
        double cores = pid == 0 ? Double.NaN : (cpuTicks(pid) - cpuBefore) / 100.0 / seconds;
        int monitored = 0;
        double reported = 0;
        int bad = 0;
        for (String id : ids) {
            JsonNode status = call("GET", "/api/v1/connectors/opcua/" + id + "/status", null);
            monitored += status.get("monitored_items").asInt();
            reported += status.get("values_per_second").asDouble();
            bad += status.get("bad_items").size();
        }
        System.out.printf(
                "%s: %d connectors, %d monitored items (%d bad): %.0f values/s stored (insa_ingest_points_total),"
                        + " %.0f values/s received by the connectors; platform CPU %.2f cores (%.1f %% of a core per connector)%n",
                name, ids.size(), monitored, bad, stored, reported, cores, 100 * cores / ids.size());
    }

    private String connector(OpcUaTestServer server, String name, List<Map<String, Object>> mappings) throws Exception {
        return call(
                        "POST",
                        "/api/v1/connectors/opcua",
                        Map.of(
                                "name",
                                name,
                                "endpoint_url",
                                server.endpointUrl(),
                                "publishing_interval_ms",
                                100,
                                "mappings",
                                mappings))
                .get("id")
                .asString();
    }

    private static Map<String, Object> mapping(String nodeId, String device, String key) {
        return Map.of("node_id", nodeId, "device_name", device, "key", key, "sampling_interval_ms", 100);
    }

    private void login() throws Exception {
        String password = options.containsKey("admin-password")
                ? options.get("admin-password")
                : Files.readString(Path.of(options.getOrDefault("admin-password-file", "data/admin-password.txt")))
                        .strip();
        token = call(
                        "POST",
                        "/api/v1/auth/login",
                        Map.of("email", options.getOrDefault("admin-email", "admin@localhost"), "password", password))
                .get("access_token")
                .asString();
    }

    private JsonNode call(String method, String path, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(options.getOrDefault("url", "http://127.0.0.1:8080") + path))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(
                    method + " " + path + " -> " + response.statusCode() + " " + response.body());
        }
        return response.body().isEmpty() ? null : JSON.readTree(response.body());
    }

    private double metric(String name) throws Exception {
        String text = HTTP.send(
                        HttpRequest.newBuilder(
                                        URI.create(options.getOrDefault("management-url", "http://127.0.0.1:8081")
                                                + "/actuator/prometheus"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return text.lines()
                .filter(l -> l.startsWith(name))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private long heap() throws Exception {
        return (long) metric("jvm_memory_used_bytes{area=\"heap\"");
    }

    private static long cpuTicks(long pid) throws Exception {
        if (pid == 0) {
            return 0;
        }
        String[] stat = Files.readString(Path.of("/proc/" + pid + "/stat")).split(" ");
        return Long.parseLong(stat[13]) + Long.parseLong(stat[14]);
    }

    private static long rss(long pid) throws Exception {
        if (pid == 0) {
            return 0;
        }
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("VmRSS"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                .findFirst()
                .orElse(0);
    }
}
