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

/** Users: the tenant's members, inviting, changing a role, removing, and the invitations not yet answered. */
@Controller
class UserPages {

    static final List<String> ROLES = List.of("viewer", "operator", "admin");

    private final ConsoleApi api;

    UserPages(ConsoleApi api) {
        this.api = api;
    }

    @GetMapping("/console/users")
    String users(HttpSession session, Model model) {
        return ConsolePages.render(session, model, "users", user -> {
            model.addAttribute("list", api.get(session, members(user) + "?size=200"));
            model.addAttribute("roles", ROLES);
            if (user.isAdmin()) {
                model.addAttribute("invitations", api.get(session, members(user) + "/invitations"));
                model.addAttribute(
                        "requireMfa",
                        api.get(session, "/api/v1/tenants/" + user.tenantId())
                                .path("require_mfa")
                                .asBoolean());
            }
        });
    }

    @PostMapping("/console/users")
    String invite(@RequestParam String email, @RequestParam String role, HttpSession session) {
        api.post(session, members(ConsolePages.user(session)) + "/invite", Map.of("email", email, "role", role));
        flash(session, "Invitation sent to " + email + ".");
        return "redirect:/console/users";
    }

    @PostMapping("/console/users/{id}/role")
    String changeRole(@PathVariable UUID id, @RequestParam String role, HttpSession session) {
        api.patch(session, members(ConsolePages.user(session)) + "/" + id + "/role", Map.of("role", role));
        flash(session, "Role changed to " + role + ".");
        return "redirect:/console/users";
    }

    @PostMapping("/console/users/{id}/remove")
    String remove(@PathVariable UUID id, HttpSession session) {
        api.delete(session, members(ConsolePages.user(session)) + "/" + id);
        flash(session, "Member removed from the tenant.");
        return "redirect:/console/users";
    }

    /** Whether members must use two-factor authentication to enter the tenant. */
    @PostMapping("/console/users/require-mfa")
    String requireMfa(@RequestParam boolean required, HttpSession session) {
        api.patch(session, "/api/v1/tenants/" + ConsolePages.user(session).tenantId(), Map.of("require_mfa", required));
        flash(
                session,
                required
                        ? "Members now need two-factor authentication to enter this tenant."
                        : "Two-factor authentication is no longer required.");
        return "redirect:/console/users";
    }

    private static String members(ConsoleUser user) {
        return "/api/v1/tenants/" + user.tenantId() + "/users";
    }
}
