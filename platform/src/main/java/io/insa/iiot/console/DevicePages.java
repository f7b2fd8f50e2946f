package io.insa.iiot.console;

import static io.insa.iiot.console.ConsolePages.encode;
import static io.insa.iiot.console.ConsolePages.flash;
import static io.insa.iiot.console.ConsolePages.parameters;
import static io.insa.iiot.console.ConsolePages.query;

import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Devices: the list with filters and paging, creating and importing, and a device's own page. */
@Controller
class DevicePages {

    static final int PAGE_SIZE = 50;

    /** The chart's time ranges: the label the page shows, and how far back it reaches. */
    static final Map<String, Duration> RANGES = ranges();

    private final ConsoleApi api;
    private final LiveTelemetry live;
    private final DeviceImports imports;
    private final JsonMapper json;

    /** A row of the latest values: the value as text, and when it was measured. */
    record LatestValue(String key, String value, Instant at) {}

    DevicePages(ConsoleApi api, LiveTelemetry live, DeviceImports imports, JsonMapper json) {
        this.json = json;
        this.api = api;
        this.live = live;
        this.imports = imports;
    }

    @GetMapping("/console/devices")
    String devices(
            @RequestParam(required = false, defaultValue = "") String name,
            @RequestParam(required = false, defaultValue = "") String type,
            @RequestParam(required = false, defaultValue = "") String status,
            @RequestParam(required = false, defaultValue = "0") int page,
            HttpSession session,
            Model model) {
        int shown = Math.max(0, page);
        return ConsolePages.render(session, model, "devices", user -> {
            Map<String, Object> filters = parameters("name", name, "type", type, "status", status);
            Map<String, Object> call = new LinkedHashMap<>(filters);
            call.put("page", shown);
            call.put("size", PAGE_SIZE);
            JsonNode list = api.get(session, "/api/v1/devices" + query(call));
            model.addAttribute("list", list);
            model.addAttribute("name", name);
            model.addAttribute("type", type);
            model.addAttribute("status", status);
            model.addAttribute("page", shown);
            long total = list.path("total").asLong();
            String filtered = "/console/devices" + query(filters);
            String joint = filtered.contains("?") ? "&" : "?";
            model.addAttribute("previous", shown > 0 ? filtered + joint + "page=" + (shown - 1) : null);
            model.addAttribute(
                    "next", (long) (shown + 1) * PAGE_SIZE < total ? filtered + joint + "page=" + (shown + 1) : null);
            model.addAttribute("pages", Math.max(1, (total + PAGE_SIZE - 1) / PAGE_SIZE));
        });
    }

    @PostMapping("/console/devices")
    String create(@RequestParam String name, @RequestParam(defaultValue = "sensor") String type, HttpSession session) {
        JsonNode created = api.post(session, "/api/v1/devices", Map.of("name", name, "type", type));
        flash(
                session,
                "Device " + name + " created. Its access token, shown this once: "
                        + created.get("access_token").asString());
        return "redirect:/console/devices";
    }

    @GetMapping("/console/devices/import")
    String importForm(HttpSession session, Model model) {
        return ConsolePages.render(session, model, "device-import", user -> {});
    }

    @PostMapping("/console/devices/import")
    String startImport(@RequestParam("file") MultipartFile file, HttpSession session) throws IOException {
        DeviceImports.Progress started = imports.start(session, new String(file.getBytes(), StandardCharsets.UTF_8));
        return "redirect:/console/devices/import/" + started.id();
    }

    @GetMapping("/console/devices/import/{id}")
    String importPage(@PathVariable UUID id, HttpSession session, Model model) {
        return ConsolePages.render(
                session, model, "device-import", user -> model.addAttribute("progress", imports.progress(session, id)));
    }

    /** The progress bar alone, which the import page polls (htmx) until the import has finished. */
    @GetMapping("/console/devices/import/{id}/progress")
    String importProgress(@PathVariable UUID id, HttpSession session, Model model) {
        model.addAttribute("progress", imports.progress(session, id));
        return "console/device-import :: progress";
    }

    @GetMapping("/console/devices/import/{id}/tokens")
    ResponseEntity<String> importTokens(@PathVariable UUID id, HttpSession session) {
        return ResponseEntity.ok()
                .contentType(new MediaType("text", "csv"))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"device-tokens-" + id + ".csv\"")
                .body(imports.takeTokens(session, id));
    }

    @GetMapping("/console/devices/{id}")
    String device(
            @PathVariable UUID id,
            @RequestParam(required = false) String key,
            @RequestParam(required = false, defaultValue = "live") String range,
            @RequestParam(required = false, defaultValue = "avg") String agg,
            HttpSession session,
            Model model) {
        return ConsolePages.render(session, model, "device", user -> {
            String path = "/api/v1/devices/" + id;
            JsonNode device = api.get(session, path);
            JsonNode latest = api.get(session, path + "/telemetry/latest").get("values");
            model.addAttribute("device", device);
            model.addAttribute("attributes", api.get(session, path + "/attributes"));
            model.addAttribute(
                    "latest",
                    latest.properties().stream()
                            .map(v -> new LatestValue(
                                    v.getKey(),
                                    v.getValue().get("value").isString()
                                            ? v.getValue().get("value").asString()
                                            : v.getValue().get("value").toString(),
                                    Instant.ofEpochMilli(v.getValue().get("ts").asLong())))
                            .toList());
            String chosen = key;
            if (chosen == null || chosen.isBlank()) {
                chosen = latest.propertyNames().stream()
                        .filter(k -> latest.get(k).get("value").isNumber())
                        .findFirst()
                        .orElse("");
            }
            String shownRange = RANGES.containsKey(range) ? range : "live";
            model.addAttribute("key", chosen);
            model.addAttribute("range", shownRange);
            model.addAttribute("agg", agg);
            model.addAttribute("ranges", RANGES.keySet());
            model.addAttribute(
                    "history",
                    chosen.isEmpty()
                            ? "[[]]"
                            : ChartHistory.of(
                                    api,
                                    session,
                                    List.of(id.toString()),
                                    chosen,
                                    RANGES.get(shownRange),
                                    shownRange.equals("live") ? "raw" : agg));
            model.addAttribute("lines", json.writeValueAsString(List.of(Map.of("id", id.toString(), "name", chosen))));
        });
    }

    /** The live points of a device's key (Server-Sent Events); the API decides whether the user may see the device. */
    @GetMapping(value = "/console/devices/{id}/live", produces = "text/event-stream")
    SseEmitter live(@PathVariable UUID id, @RequestParam String key, HttpSession session) {
        api.get(session, "/api/v1/devices/" + id);
        return live.watch(session, java.util.List.of(id), key);
    }

    @PostMapping("/console/devices/{id}/token")
    String rotateToken(@PathVariable UUID id, HttpSession session) {
        JsonNode rotated = api.post(session, "/api/v1/devices/" + id + "/token", null);
        flash(
                session,
                "The device's new access token, shown this once: "
                        + rotated.path("access_token").asString()
                        + ". The old one no longer works.");
        return "redirect:/console/devices/" + id;
    }

    @PostMapping("/console/devices/{id}/commands")
    String sendCommand(
            @PathVariable UUID id,
            @RequestParam String method,
            @RequestParam(required = false, defaultValue = "") String params,
            @RequestParam(name = "one_way", defaultValue = "false") boolean oneWay,
            HttpSession session) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("method", method);
        if (!params.isBlank()) {
            try {
                body.put("params", api.parse(params));
            } catch (RuntimeException e) {
                throw new ConsoleApi.Refused(400, "Parameters must be JSON, e.g. {\"speed\": 1200}.");
            }
        }
        body.put("one_way", oneWay);
        body.put("timeout_ms", 5_000);
        JsonNode answer = api.post(session, "/api/v1/devices/" + id + "/commands", body);
        String response = answer.path("response").isMissingNode()
                        || answer.path("response").isNull()
                ? ""
                : ", answer " + answer.get("response");
        flash(session, "Command " + method + ": " + answer.path("status").asString() + response + ".");
        return "redirect:/console/devices/" + id;
    }

    @GetMapping("/console/devices/{id}/export")
    ResponseEntity<String> export(@PathVariable UUID id, @RequestParam String key, HttpSession session) {
        return ResponseEntity.ok()
                .contentType(new MediaType("text", "csv"))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"telemetry-" + id + ".csv\"")
                .body(api.text(session, "/api/v1/devices/" + id + "/telemetry/export?keys=" + encode(key)));
    }

    private static Map<String, Duration> ranges() {
        Map<String, Duration> ranges = new LinkedHashMap<>();
        ranges.put("live", Duration.ofMinutes(15));
        ranges.put("1h", Duration.ofHours(1));
        ranges.put("24h", Duration.ofDays(1));
        ranges.put("7d", Duration.ofDays(7));
        ranges.put("30d", Duration.ofDays(30));
        return ranges;
    }
}
