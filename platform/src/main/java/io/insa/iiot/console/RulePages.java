package io.insa.iiot.console;

import static io.insa.iiot.console.ConsolePages.flash;

import jakarta.servlet.http.HttpSession;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.JsonNode;

/**
 * Rules: the list, a form to create or edit one, enable and disable. The form sends what was typed;
 * the API validates it, and its message (naming the field) is shown above the form as typed.
 */
@Controller
class RulePages {

    static final List<String> CONDITIONS = List.of("threshold", "range", "rate_of_change", "no_data", "anomaly");
    static final List<String> OPERATORS = List.of(">", ">=", "<", "<=");

    /** The rule form as typed; every field is text until the API has read it. */
    record RuleForm(
            String name,
            String severity,
            String key,
            String deviceType,
            String condition,
            String operator,
            String value,
            String min,
            String max,
            String durationS,
            String maxAbsPerS,
            String seconds,
            String scoreAbove,
            String webhookUrl) {

        static RuleForm blank() {
            return new RuleForm("", "major", "", "", "threshold", ">", "", "", "", "", "", "", "", "");
        }

        static RuleForm of(JsonNode rule) {
            JsonNode c = rule.path("condition");
            String webhook = "";
            for (JsonNode action : rule.path("actions")) {
                if (action.path("type").asString("").equals("webhook")) {
                    webhook = action.path("url").asString("");
                }
            }
            return new RuleForm(
                    rule.path("name").asString(""),
                    rule.path("severity").asString("major"),
                    rule.path("key").asString(""),
                    rule.at("/scope/device_type").asString(""),
                    c.path("type").asString("threshold"),
                    c.path("operator").asString(">"),
                    text(c, "value"),
                    text(c, "min"),
                    text(c, "max"),
                    text(c, "duration_s"),
                    text(c, "max_abs_per_s"),
                    text(c, "seconds"),
                    text(c, "score_above"),
                    webhook);
        }

        private static String text(JsonNode node, String field) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                return "";
            }
            if (value.isNumber() && value.asDouble() == Math.rint(value.asDouble())) {
                return Long.toString(value.asLong()); // 80, not 80.0
            }
            return value.isString() ? value.asString() : value.toString();
        }

        /** The API's rule body: the condition's own fields only, numbers where numbers were typed. */
        Map<String, Object> body(boolean withActions) {
            Map<String, Object> condition = new LinkedHashMap<>();
            condition.put("type", this.condition);
            switch (this.condition == null ? "" : this.condition) {
                case "threshold" -> {
                    condition.put("operator", operator);
                    condition.put("value", number(value));
                    putIfTyped(condition, "duration_s", durationS);
                }
                case "range" -> {
                    condition.put("min", number(min));
                    condition.put("max", number(max));
                    putIfTyped(condition, "duration_s", durationS);
                }
                case "rate_of_change" -> condition.put("max_abs_per_s", number(maxAbsPerS));
                case "no_data" -> condition.put("seconds", number(seconds));
                case "anomaly" -> condition.put("score_above", number(scoreAbove));
                default -> {
                    // the API names an unknown type
                }
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("severity", severity);
            body.put("key", key);
            body.put("condition", condition);
            body.put(
                    "scope",
                    deviceType == null || deviceType.isBlank()
                            ? Map.of("type", "all")
                            : Map.of("type", "device_type", "device_type", deviceType.strip()));
            if (withActions) {
                body.put(
                        "actions",
                        webhookUrl == null || webhookUrl.isBlank()
                                ? List.of()
                                : List.of(Map.of("type", "webhook", "url", webhookUrl.strip())));
            }
            return body;
        }

        private static void putIfTyped(Map<String, Object> condition, String field, String typed) {
            if (typed != null && !typed.isBlank()) {
                condition.put(field, number(typed));
            }
        }

        /** A number when it reads as one; otherwise the text, so the API names the field. */
        private static Object number(String typed) {
            if (typed == null || typed.isBlank()) {
                return null;
            }
            try {
                double d = Double.parseDouble(typed.strip());
                return d == Math.rint(d) && Math.abs(d) < 1e15 ? (Object) (long) d : (Object) d;
            } catch (NumberFormatException e) {
                return typed;
            }
        }
    }

    private final ConsoleApi api;

    RulePages(ConsoleApi api) {
        this.api = api;
    }

    @GetMapping("/console/rules")
    String rules(HttpSession session, Model model) {
        return ConsolePages.render(
                session,
                model,
                "rules",
                user -> model.addAttribute("list", api.get(session, "/api/v1/rules?size=200")));
    }

    @GetMapping("/console/rules/new")
    String newRule(HttpSession session, Model model) {
        return form(session, model, null, RuleForm.blank(), null);
    }

    @GetMapping("/console/rules/{id}")
    String editRule(@PathVariable UUID id, HttpSession session, Model model) {
        return ConsolePages.render(session, model, "rule", user -> {
            model.addAttribute("id", id);
            model.addAttribute("form", RuleForm.of(api.get(session, "/api/v1/rules/" + id)));
            options(model);
        });
    }

    @PostMapping("/console/rules")
    String create(@ModelAttribute RuleForm form, HttpSession session, Model model) {
        try {
            api.post(session, "/api/v1/rules", form.body(true));
        } catch (ConsoleApi.Refused e) {
            return form(session, model, null, form, e.getMessage());
        }
        flash(session, "Rule " + form.name() + " created.");
        return "redirect:/console/rules";
    }

    @PostMapping("/console/rules/{id}")
    String update(@PathVariable UUID id, @ModelAttribute RuleForm form, HttpSession session, Model model) {
        try {
            api.patch(session, "/api/v1/rules/" + id, form.body(true));
        } catch (ConsoleApi.Refused e) {
            return form(session, model, id, form, e.getMessage());
        }
        flash(session, "Rule " + form.name() + " saved.");
        return "redirect:/console/rules";
    }

    @PostMapping("/console/rules/{id}/enabled")
    String enable(@PathVariable UUID id, @RequestParam boolean enabled, HttpSession session) {
        api.patch(session, "/api/v1/rules/" + id, Map.of("enabled", enabled));
        return "redirect:/console/rules";
    }

    @PostMapping("/console/rules/{id}/delete")
    String delete(@PathVariable UUID id, HttpSession session) {
        api.delete(session, "/api/v1/rules/" + id);
        flash(session, "Rule deleted.");
        return "redirect:/console/rules";
    }

    /** The form again, as typed, with the API's reason for refusing it. */
    private String form(HttpSession session, Model model, UUID id, RuleForm form, String problem) {
        return ConsolePages.render(session, model, "rule", user -> {
            model.addAttribute("id", id);
            model.addAttribute("form", form);
            model.addAttribute("problem", problem);
            options(model);
        });
    }

    private static void options(Model model) {
        model.addAttribute("conditions", CONDITIONS);
        model.addAttribute("operators", OPERATORS);
        model.addAttribute("severities", AlertPages.SEVERITIES);
    }
}
