package io.insa.iiot.console;

import static io.insa.iiot.console.ConsolePages.parameters;
import static io.insa.iiot.console.ConsolePages.query;

import jakarta.servlet.http.HttpSession;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** Alerts: the list filtered by status, severity and device, an alert's history, acknowledge and clear. */
@Controller
class AlertPages {

    static final List<String> STATUSES = List.of("active", "acknowledged", "cleared", "all");
    static final List<String> SEVERITIES = List.of("critical", "major", "minor", "warning");

    private final ConsoleApi api;

    AlertPages(ConsoleApi api) {
        this.api = api;
    }

    @GetMapping("/console/alerts")
    String alerts(
            @RequestParam(required = false, defaultValue = "active") String status,
            @RequestParam(required = false, defaultValue = "") String severity,
            @RequestParam(name = "device_id", required = false, defaultValue = "") String deviceId,
            HttpSession session,
            Model model) {
        return ConsolePages.render(session, model, "alerts", user -> {
            Map<String, Object> call = parameters(
                    "status",
                    status.equals("all") ? "" : status,
                    "severity",
                    severity,
                    "device_id",
                    deviceId,
                    "size",
                    100);
            model.addAttribute("list", api.get(session, "/api/v1/alerts" + query(call)));
            model.addAttribute("status", status);
            model.addAttribute("severity", severity);
            model.addAttribute("deviceId", deviceId);
            model.addAttribute("statuses", STATUSES);
            model.addAttribute("severities", SEVERITIES);
        });
    }

    @GetMapping("/console/alerts/{id}")
    String alert(@PathVariable UUID id, HttpSession session, Model model) {
        return ConsolePages.render(
                session, model, "alert", user -> model.addAttribute("alert", api.get(session, "/api/v1/alerts/" + id)));
    }

    @PostMapping("/console/alerts/{id}/{action:acknowledge|clear}")
    String act(
            @PathVariable UUID id,
            @PathVariable String action,
            @RequestParam(name = "back", required = false, defaultValue = "") String back,
            HttpSession session) {
        api.post(session, "/api/v1/alerts/" + id + "/" + action, null);
        ConsolePages.flash(session, action.equals("clear") ? "Alert cleared." : "Alert acknowledged.");
        return "redirect:" + (back.equals("alert") ? "/console/alerts/" + id : "/console/alerts");
    }
}
