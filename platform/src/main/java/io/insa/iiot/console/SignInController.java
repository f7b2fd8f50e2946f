package io.insa.iiot.console;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** Signing in and out of the console, and the top bar's tenant switcher. */
@Controller
class SignInController {

    static final String LOGIN = "/console/login";
    static final String AFTER_SIGN_IN = SignInController.class.getName() + ".after";

    private final ConsoleApi api;

    SignInController(ConsoleApi api) {
        this.api = api;
    }

    @GetMapping("/console")
    String home() {
        return "redirect:/console/dashboard";
    }

    @GetMapping(LOGIN)
    String login() {
        return "console/login";
    }

    @PostMapping(LOGIN)
    String signIn(
            @RequestParam String email,
            @RequestParam String password,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        try {
            ConsoleUser user = api.signIn(email, password);
            HttpSession session = request.getSession(true);
            request.changeSessionId(); // a new id once signed in: no session fixation
            session.setAttribute(ConsoleUser.SESSION_KEY, user);
            Object wanted = session.getAttribute(AFTER_SIGN_IN);
            session.removeAttribute(AFTER_SIGN_IN);
            return "redirect:"
                    + (wanted instanceof String path && path.startsWith("/console/") && !path.startsWith("//")
                            ? path
                            : "/console/dashboard");
        } catch (ConsoleApi.Refused e) {
            response.setStatus(e.status == 429 ? 429 : 401);
            model.addAttribute("error", e.getMessage());
            model.addAttribute("email", email);
            return "console/login";
        }
    }

    @PostMapping("/console/logout")
    String signOut(HttpSession session) {
        api.signOut(ConsolePages.user(session));
        session.invalidate();
        return "redirect:" + LOGIN;
    }

    @PostMapping("/console/tenant")
    String switchTenant(@RequestParam("tenant_id") String tenantId, HttpSession session) {
        session.setAttribute(ConsoleUser.SESSION_KEY, api.switchTenant(ConsolePages.user(session), tenantId));
        return "redirect:/console/dashboard";
    }
}
