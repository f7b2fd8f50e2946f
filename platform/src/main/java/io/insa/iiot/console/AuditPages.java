package io.insa.iiot.console;

import static io.insa.iiot.console.ConsolePages.parameters;
import static io.insa.iiot.console.ConsolePages.query;

import jakarta.servlet.http.HttpSession;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The audit log: filtered by action, actor, target and days, and exported as CSV with the same filters. */
@Controller
class AuditPages {

    private final ConsoleApi api;

    AuditPages(ConsoleApi api) {
        this.api = api;
    }

    @GetMapping("/console/audit")
    String audit(
            @RequestParam(required = false, defaultValue = "") String action,
            @RequestParam(required = false, defaultValue = "") String actor,
            @RequestParam(name = "target_type", required = false, defaultValue = "") String targetType,
            @RequestParam(required = false, defaultValue = "") String from,
            @RequestParam(required = false, defaultValue = "") String to,
            HttpSession session,
            Model model) {
        return ConsolePages.render(session, model, "audit", user -> {
            Map<String, Object> filters = filters(action, actor, targetType, from, to);
            model.addAttribute("list", api.get(session, "/api/v1/audit" + query(withSize(filters))));
            model.addAttribute("action", action);
            model.addAttribute("actor", actor);
            model.addAttribute("targetType", targetType);
            model.addAttribute("from", from);
            model.addAttribute("to", to);
            model.addAttribute(
                    "export",
                    "/console/audit/export"
                            + query(parameters(
                                    "action",
                                    action,
                                    "actor",
                                    actor,
                                    "target_type",
                                    targetType,
                                    "from",
                                    from,
                                    "to",
                                    to)));
        });
    }

    @GetMapping("/console/audit/export")
    ResponseEntity<String> export(
            @RequestParam(required = false, defaultValue = "") String action,
            @RequestParam(required = false, defaultValue = "") String actor,
            @RequestParam(name = "target_type", required = false, defaultValue = "") String targetType,
            @RequestParam(required = false, defaultValue = "") String from,
            @RequestParam(required = false, defaultValue = "") String to,
            HttpSession session) {
        String csv = api.text(session, "/api/v1/audit/export" + query(filters(action, actor, targetType, from, to)));
        return ResponseEntity.ok()
                .contentType(new MediaType("text", "csv"))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\"")
                .body(csv);
    }

    /** The API's filters; the page's dates are whole days (UTC), the end day included. */
    private static Map<String, Object> filters(String action, String actor, String targetType, String from, String to) {
        return parameters(
                "action", action,
                "actor", actor,
                "target_type", targetType,
                "from", day(from, 0),
                "to", day(to, 1));
    }

    private static Map<String, Object> withSize(Map<String, Object> filters) {
        filters.put("size", 100);
        return filters;
    }

    private static String day(String date, int plusDays) {
        if (date.isBlank()) {
            return "";
        }
        try {
            return LocalDate.parse(date)
                    .plusDays(plusDays)
                    .atStartOfDay()
                    .atOffset(ZoneOffset.UTC)
                    .toString();
        } catch (java.time.format.DateTimeParseException e) {
            throw new ConsoleApi.Refused(400, "Dates must be like 2026-12-01.");
        }
    }
}
