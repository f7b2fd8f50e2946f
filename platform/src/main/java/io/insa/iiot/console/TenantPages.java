package io.insa.iiot.console;

import static io.insa.iiot.console.ConsolePages.flash;

import jakarta.servlet.http.HttpSession;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Quotas (the active tenant's usage against its limits, read-only for its admins) and, for system
 * admins, every tenant: create, suspend and resume, and change quotas.
 */
@Controller
class TenantPages {

    private final ConsoleApi api;

    TenantPages(ConsoleApi api) {
        this.api = api;
    }

    @GetMapping("/console/quotas")
    String quotas(HttpSession session, Model model) {
        return ConsolePages.render(session, model, "quotas", user -> {
            model.addAttribute("quotas", api.get(session, "/api/v1/tenants/" + user.tenantId() + "/quotas"));
            model.addAttribute("tenant", api.get(session, "/api/v1/tenants/" + user.tenantId()));
        });
    }

    @GetMapping("/console/tenants")
    String tenants(@RequestParam(required = false, defaultValue = "") String name, HttpSession session, Model model) {
        return ConsolePages.render(session, model, "tenants", user -> {
            var all = api.get(session, "/api/v1/tenants?size=500");
            var shown = all.get("items")
                    .valueStream()
                    .filter(t -> name.isBlank()
                            || t.path("name")
                                    .asString("")
                                    .toLowerCase(java.util.Locale.ROOT)
                                    .contains(name.toLowerCase(java.util.Locale.ROOT)))
                    .toList();
            model.addAttribute("list", shown);
            model.addAttribute("total", all.path("total").asLong());
            model.addAttribute("name", name);
        });
    }

    @PostMapping("/console/tenants")
    String create(@RequestParam String name, @RequestParam String slug, HttpSession session) {
        api.post(session, "/api/v1/tenants", Map.of("name", name, "slug", slug));
        flash(session, "Tenant " + name + " created.");
        ConsoleUser user = ConsolePages.user(session);
        session.setAttribute(ConsoleUser.SESSION_KEY, api.refreshChoices(user)); // the switcher offers it now
        return "redirect:/console/tenants";
    }

    @PostMapping("/console/tenants/{id}/status")
    String status(@PathVariable UUID id, @RequestParam String status, HttpSession session) {
        api.patch(session, "/api/v1/tenants/" + id, Map.of("status", status));
        flash(session, "Tenant " + (status.equals("suspended") ? "suspended." : "active again."));
        return "redirect:/console/tenants";
    }

    @PostMapping("/console/tenants/{id}/quotas")
    String setQuotas(
            @PathVariable UUID id,
            @RequestParam(name = "max_devices") String maxDevices,
            @RequestParam(name = "max_users") String maxUsers,
            @RequestParam(name = "max_telemetry_points_per_day") String maxPoints,
            @RequestParam(name = "max_retention_days") String maxRetention,
            HttpSession session) {
        Map<String, Object> quotas = new LinkedHashMap<>();
        quotas.put("max_devices", whole(maxDevices, "Max devices"));
        quotas.put("max_users", whole(maxUsers, "Max users"));
        quotas.put("max_telemetry_points_per_day", whole(maxPoints, "Max points a day"));
        quotas.put("max_retention_days", whole(maxRetention, "Retention days"));
        api.patch(session, "/api/v1/tenants/" + id, quotas);
        flash(session, "Quotas saved.");
        return "redirect:/console/tenants";
    }

    private static long whole(String typed, String label) {
        try {
            return Long.parseLong(typed.strip());
        } catch (NumberFormatException e) {
            throw new ConsoleApi.Refused(400, label + " must be a whole number.");
        }
    }
}
