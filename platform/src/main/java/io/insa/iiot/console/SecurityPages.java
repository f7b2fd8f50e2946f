package io.insa.iiot.console;

import static io.insa.iiot.console.ConsolePages.flash;

import jakarta.servlet.http.HttpSession;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.JsonNode;

/**
 * The signed-in user's own security: two-factor authentication set up (a QR code for the app, then
 * a first code, then ten recovery codes shown once) and turned off.
 */
@Controller
class SecurityPages {

    static final String PATH = "/console/security";

    private final ConsoleApi api;

    SecurityPages(ConsoleApi api) {
        this.api = api;
    }

    @GetMapping(PATH)
    String security(HttpSession session, Model model) {
        return ConsolePages.render(session, model, "security", user -> {});
    }

    @PostMapping(PATH + "/mfa/enroll")
    String enroll(@RequestParam String password, HttpSession session, Model model) {
        JsonNode enrolment = api.post(session, "/api/v1/auth/mfa/enroll", Map.of("password", password));
        return ConsolePages.render(session, model, "security", user -> model.addAttribute("enrolment", enrolment));
    }

    @PostMapping(PATH + "/mfa/confirm")
    String confirm(@RequestParam String code, HttpSession session, Model model) {
        JsonNode confirmed = api.post(session, "/api/v1/auth/mfa/confirm", Map.of("code", code.replace(" ", "")));
        ConsoleUser user = api.refreshChoices(ConsolePages.user(session));
        if (user.tenantId() == null && !user.tenants().isEmpty()) { // MFA may have been what kept the tenant shut
            user = api.switchTenant(user, user.tenants().getFirst().id());
        }
        session.setAttribute(ConsoleUser.SESSION_KEY, user);
        return ConsolePages.render(
                session, model, "security", u -> model.addAttribute("recoveryCodes", confirmed.get("recovery_codes")));
    }

    @PostMapping(PATH + "/mfa/disable")
    String disable(@RequestParam String password, @RequestParam String code, HttpSession session) {
        api.post(session, "/api/v1/auth/mfa/disable", Map.of("password", password, "code", code.replace(" ", "")));
        session.setAttribute(ConsoleUser.SESSION_KEY, api.refreshChoices(ConsolePages.user(session)));
        flash(session, "Two-factor authentication is off.");
        return "redirect:" + PATH;
    }
}
