package io.insa.iiot.console;

import jakarta.servlet.http.HttpSession;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard: devices online and offline, active alerts by severity, the ingest rate, and a live
 * chart of one key for the devices the user picks (each device its own line), starting from its last
 * 15 minutes.
 */
@Controller
class DashboardPages {

    static final int MAX_CHARTED = 8;
    /** How far back the live chart starts. */
    static final Duration HISTORY = Duration.ofMinutes(15);

    private final ConsoleApi api;
    private final IngestRate rate;
    private final LiveTelemetry live;
    private final JsonMapper json;

    DashboardPages(ConsoleApi api, IngestRate rate, LiveTelemetry live, JsonMapper json) {
        this.api = api;
        this.json = json;
        this.rate = rate;
        this.live = live;
    }

    @GetMapping("/console/dashboard")
    String dashboard(
            @RequestParam(required = false, defaultValue = "") String key,
            @RequestParam(name = "device", required = false) List<String> devices,
            HttpSession session,
            Model model) {
        return ConsolePages.render(session, model, "dashboard", user -> {
            figures(session, user, model);
            JsonNode choices = api.get(session, "/api/v1/devices?size=50");
            model.addAttribute("choices", choices.get("items"));
            model.addAttribute("key", key);
            List<String> chosen = devices == null
                    ? List.of()
                    : devices.stream().limit(MAX_CHARTED).toList();
            List<Map<String, String>> lines = new java.util.ArrayList<>();
            for (String id : chosen) {
                lines.add(Map.of(
                        "id",
                        id,
                        "name",
                        api.get(session, "/api/v1/devices/" + ConsolePages.encode(id))
                                .path("name")
                                .asString(id)));
            }
            model.addAttribute("chosen", chosen);
            model.addAttribute("lines", json.writeValueAsString(lines));
            model.addAttribute(
                    "history",
                    key.isBlank() || chosen.isEmpty()
                            ? "[[]]"
                            : ChartHistory.of(api, session, chosen, key, HISTORY, "raw"));
        });
    }

    /** The live points of one key of the chosen devices; the API decides whether the user may see each. */
    @GetMapping(value = "/console/dashboard/live", produces = "text/event-stream")
    SseEmitter live(@RequestParam String key, @RequestParam("device") List<UUID> devices, HttpSession session) {
        List<UUID> charted = devices.stream().distinct().limit(MAX_CHARTED).toList();
        charted.forEach(device -> api.get(session, "/api/v1/devices/" + device));
        return live.watch(session, charted, key);
    }

    /** The figures alone, which the dashboard refreshes (htmx) every few seconds. */
    @GetMapping("/console/dashboard/figures")
    String figures(HttpSession session, Model model) {
        ConsoleUser user = ConsolePages.user(session);
        model.addAttribute("user", user);
        if (user.tenantId() != null) {
            figures(session, user, model);
        }
        return "console/dashboard :: figures";
    }

    private void figures(HttpSession session, ConsoleUser user, Model model) {
        model.addAttribute("stats", api.get(session, "/api/v1/tenants/" + user.tenantId() + "/stats"));
        Map<String, Long> bySeverity = new LinkedHashMap<>();
        for (String severity : AlertPages.SEVERITIES) {
            bySeverity.put(
                    severity,
                    api.get(session, "/api/v1/alerts?status=active&size=1&severity=" + severity)
                            .path("total")
                            .asLong());
        }
        model.addAttribute("bySeverity", bySeverity);
        model.addAttribute("ingestRate", rate.perSecond(UUID.fromString(user.tenantId())));
    }
}
