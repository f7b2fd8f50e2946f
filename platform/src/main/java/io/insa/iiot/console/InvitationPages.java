package io.insa.iiot.console;

import static io.insa.iiot.console.ConsolePages.flash;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Accepting an invitation: the page the e-mail links to, where a newcomer chooses a name and password
 * (and is signed in), or someone with an account signs in and accepts it among their open invitations.
 */
@Controller
class InvitationPages {

    static final String ACCEPT = "/console/accept-invite";
    private static final String TOKEN = InvitationPages.class.getName() + ".token";

    private final ConsoleApi api;

    InvitationPages(ConsoleApi api) {
        this.api = api;
    }

    /** The token moves from the address into the session at once, so it stays out of the browser's history. */
    @GetMapping(ACCEPT)
    String acceptPage(@RequestParam(required = false) String token, HttpServletRequest request, Model model) {
        if (token != null && !token.isBlank()) {
            request.getSession(true).setAttribute(TOKEN, token);
            return "redirect:" + ACCEPT;
        }
        HttpSession session = request.getSession(false);
        if (session == null || session.getAttribute(TOKEN) == null) {
            model.addAttribute("error", "This link holds no invitation. Open the link of your invitation e-mail.");
        }
        return "console/accept-invite";
    }

    @PostMapping(ACCEPT)
    String createAccount(
            @RequestParam String name, @RequestParam String password, HttpServletRequest request, Model model) {
        HttpSession session = request.getSession(true);
        Object token = session.getAttribute(TOKEN);
        if (token == null) {
            model.addAttribute("error", "This invitation is no longer in this browser. Open the e-mail's link again.");
            return "console/accept-invite";
        }
        try {
            ConsoleUser user = api.acceptInvitation((String) token, name, password);
            session.removeAttribute(TOKEN);
            request.changeSessionId();
            session.setAttribute(ConsoleUser.SESSION_KEY, user);
            flash(session, "Your account is ready, and you are signed in to " + user.tenantName() + ".");
            return "redirect:/console/dashboard";
        } catch (ConsoleApi.Refused e) {
            model.addAttribute("error", e.getMessage());
            model.addAttribute("name", name);
            return "console/accept-invite";
        }
    }

    /** Someone who has an account signs in; their open invitations are then theirs to accept. */
    @PostMapping(ACCEPT + "/sign-in")
    String signInToAccept(
            @RequestParam String email, @RequestParam String password, HttpServletRequest request, Model model) {
        try {
            ConsoleUser user = api.signIn(email, password);
            HttpSession session = request.getSession(true);
            session.removeAttribute(TOKEN);
            request.changeSessionId();
            session.setAttribute(ConsoleUser.SESSION_KEY, user);
            return "redirect:/console/invitations";
        } catch (ConsoleApi.Refused e) {
            model.addAttribute("signInError", e.getMessage());
            model.addAttribute("email", email);
            return "console/accept-invite";
        }
    }

    @GetMapping("/console/invitations")
    String invitations(HttpSession session, Model model) {
        return ConsolePages.render(
                session,
                model,
                "invitations",
                user -> model.addAttribute(
                        "invitations",
                        api.get(session, "/api/v1/auth/invitations").get("items")));
    }

    @PostMapping("/console/invitations/{id}/{answer:accept|decline}")
    String answer(@PathVariable UUID id, @PathVariable String answer, HttpSession session) {
        var joined = api.post(session, "/api/v1/auth/invitations/" + id + "/" + answer, Map.of());
        if (answer.equals("accept")) {
            ConsoleUser user = ConsolePages.user(session);
            String tenant = joined.path("id").asString();
            session.setAttribute(ConsoleUser.SESSION_KEY, api.switchTenant(api.refreshChoices(user), tenant));
            flash(session, "You are now a member of " + joined.path("name").asString() + ".");
            return "redirect:/console/dashboard";
        }
        flash(session, "Invitation declined.");
        return "redirect:/console/invitations";
    }
}
