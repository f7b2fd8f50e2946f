package io.insa.iiot.console;

import static io.insa.iiot.console.ConsolePages.flash;

import jakarta.servlet.http.HttpSession;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A device's shared and server attributes, set and removed from its page through the attributes API
 * (which checks the user may write, and tells devices of shared changes).
 */
@Controller
class DeviceAttributePages {

    private static final Set<String> EDITABLE = Set.of("shared", "server");

    /** What the user typed is JSON only if all of it is: "12 apples" is text, not 12. */
    private static final JsonMapper WHOLE = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final ConsoleApi api;

    DeviceAttributePages(ConsoleApi api) {
        this.api = api;
    }

    /** Sets an attribute: the value as JSON when it is JSON (42, true, {"a": 1}), otherwise as text. */
    @PostMapping("/console/devices/{id}/attributes/{scope}")
    String set(
            @PathVariable UUID id,
            @PathVariable String scope,
            @RequestParam String key,
            @RequestParam String value,
            HttpSession session) {
        Map<String, Object> patch = new HashMap<>();
        patch.put(key.strip(), valueOf(value));
        api.patch(session, path(id, scope), patch);
        flash(session, "Attribute " + key.strip() + " set.");
        return "redirect:/console/devices/" + id;
    }

    @PostMapping("/console/devices/{id}/attributes/{scope}/remove")
    String remove(@PathVariable UUID id, @PathVariable String scope, @RequestParam String key, HttpSession session) {
        Map<String, Object> patch = new HashMap<>();
        patch.put(key, null);
        api.patch(session, path(id, scope), patch);
        flash(session, "Attribute " + key + " removed.");
        return "redirect:/console/devices/" + id;
    }

    private static String path(UUID id, String scope) {
        if (!EDITABLE.contains(scope)) {
            throw new ConsoleApi.Refused(400, "Only shared and server attributes are set here.");
        }
        return "/api/v1/devices/" + id + "/attributes/" + scope;
    }

    private static Object valueOf(String text) {
        String value = text.strip();
        try {
            return WHOLE.readTree(value);
        } catch (JacksonException e) {
            return value;
        }
    }
}
