package io.insa.iiot.console;

import static io.insa.iiot.console.ConsolePages.flash;

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
import tools.jackson.databind.JsonNode;

/** API keys: the tenant's keys, creating one (its key shown this once) and revoking. */
@Controller
class ApiKeyPages {

    private final ConsoleApi api;

    ApiKeyPages(ConsoleApi api) {
        this.api = api;
    }

    @GetMapping("/console/api-keys")
    String apiKeys(HttpSession session, Model model) {
        return ConsolePages.render(
                session, model, "api-keys", user -> model.addAttribute("list", api.get(session, "/api/v1/api-keys")));
    }

    @PostMapping("/console/api-keys")
    String create(@RequestParam String name, @RequestParam(required = false) List<String> scopes, HttpSession session) {
        JsonNode created = api.post(
                session, "/api/v1/api-keys", Map.of("name", name, "scopes", scopes == null ? List.of("read") : scopes));
        flash(
                session,
                "API key " + name + " created. The key, shown this once: "
                        + created.path("key").asString(""));
        return "redirect:/console/api-keys";
    }

    @PostMapping("/console/api-keys/{id}/revoke")
    String revoke(@PathVariable UUID id, HttpSession session) {
        api.delete(session, "/api/v1/api-keys/" + id);
        flash(session, "API key revoked.");
        return "redirect:/console/api-keys";
    }
}
