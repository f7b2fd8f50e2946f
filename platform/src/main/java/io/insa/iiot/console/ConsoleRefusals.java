package io.insa.iiot.console;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.net.URI;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * An action the API refused (a viewer's acknowledge, a rule that does not validate, a quota reached):
 * a form goes back to the page it came from with the API's reason; a page shows the reason.
 */
@ControllerAdvice(basePackageClasses = ConsoleRefusals.class)
class ConsoleRefusals {

    @ExceptionHandler(ConsoleApi.Refused.class)
    String refused(
            ConsoleApi.Refused e,
            HttpServletRequest request,
            HttpSession session,
            HttpServletResponse response,
            Model model) {
        if ("POST".equals(request.getMethod())) {
            ConsolePages.flashProblem(session, e.getMessage());
            return "redirect:" + cameFrom(request);
        }
        response.setStatus(e.status);
        model.addAttribute("user", ConsolePages.user(session));
        model.addAttribute("current", "");
        model.addAttribute("notice", e.getMessage());
        return "console/dashboard";
    }

    /** The console page a form was posted from (its path only, so never another site). */
    private static String cameFrom(HttpServletRequest request) {
        String referer = request.getHeader("Referer");
        if (referer != null) {
            try {
                URI uri = URI.create(referer);
                if (uri.getPath() != null && uri.getPath().startsWith("/console/")) {
                    return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
                }
            } catch (IllegalArgumentException malformed) {
                // below
            }
        }
        return "/console/dashboard";
    }
}
