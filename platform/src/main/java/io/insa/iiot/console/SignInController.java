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
    private static final String PENDING = SignInController.class.getName() + ".pending";
    private static final long PENDING_FOR_MS = 5 * 60_000;

    /**
     * A sign-in waiting for its second factor. The password stays in the server-side session for at
     * most five minutes, never in the page, so the browser does not have to send it twice.
     */
    private record PendingSignIn(String email, String password, long since) implements java.io.Serializable {}

    private final ConsoleApi api;
    private final LiveTelemetry live;

    SignInController(ConsoleApi api, LiveTelemetry live) {
        this.api = api;
        this.live = live;
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
            return signedIn(request, api.signIn(email, password));
        } catch (ConsoleApi.Refused e) {
            if (e.mfaRequired) { // the password was right: ask for the second factor
                request.getSession(true)
                        .setAttribute(PENDING, new PendingSignIn(email, password, System.currentTimeMillis()));
                return "console/login-code";
            }
            response.setStatus(e.status == 429 ? 429 : 401);
            model.addAttribute("error", e.getMessage());
            model.addAttribute("email", email);
            return "console/login";
        }
    }

    /** The second step of signing in to an account with MFA: a code from the app or a recovery code. */
    @PostMapping(LOGIN + "/code")
    String signInWithCode(
            @RequestParam String code, HttpServletRequest request, HttpServletResponse response, Model model) {
        HttpSession session = request.getSession(false);
        PendingSignIn pending = session == null ? null : (PendingSignIn) session.getAttribute(PENDING);
        if (pending == null || System.currentTimeMillis() - pending.since() > PENDING_FOR_MS) {
            model.addAttribute("error", "Signing in took too long: enter your e-mail and password again.");
            return "console/login";
        }
        try {
            return signedIn(request, api.signIn(pending.email(), pending.password(), code));
        } catch (ConsoleApi.Refused e) {
            if (!e.mfaRequired) {
                session.removeAttribute(PENDING);
            }
            response.setStatus(e.status == 429 ? 429 : 401);
            model.addAttribute("error", e.getMessage());
            return e.mfaRequired ? "console/login-code" : "console/login";
        }
    }

    private String signedIn(HttpServletRequest request, ConsoleUser user) {
        HttpSession session = request.getSession(true);
        session.removeAttribute(PENDING);
        request.changeSessionId(); // a new id once signed in: no session fixation
        session.setAttribute(ConsoleUser.SESSION_KEY, user);
        if (user.mfaEnrollmentRequired()) {
            ConsolePages.flashProblem(
                    session, "Your tenant requires two-factor authentication: set it up here to enter it.");
            return "redirect:" + SecurityPages.PATH;
        }
        Object wanted = session.getAttribute(AFTER_SIGN_IN);
        session.removeAttribute(AFTER_SIGN_IN);
        return "redirect:"
                + (wanted instanceof String path && path.startsWith("/console/") && !path.startsWith("//")
                        ? path
                        : "/console/dashboard");
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
        live.endAll(session); // the streams of the tenant left behind
        return "redirect:/console/dashboard";
    }
}
