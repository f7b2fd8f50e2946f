package io.insa.iiot.console;

import jakarta.servlet.http.HttpSession;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.ui.Model;

/**
 * What every console page shares: the signed-in user for the top bar, a message carried to the next
 * page (a secret shown once, a confirmation, a refusal), and the notice a page shows when it has no
 * tenant or the API refuses it.
 */
final class ConsolePages {

    /** A message for the next page only; {@code problem} ones are shown as alerts. */
    record Flash(String text, boolean problem) implements java.io.Serializable {}

    /** The pages that are about no one tenant. */
    private static final java.util.Set<String> OUTSIDE_TENANTS = java.util.Set.of("tenants", "invitations", "security");

    private static final String FLASH = ConsolePages.class.getName() + ".flash";

    private ConsolePages() {}

    /** Renders a page of the active tenant; without one, or when the API refuses, the page says so. */
    static String render(HttpSession session, Model model, String name, Consumer<ConsoleUser> fill) {
        ConsoleUser user = user(session);
        model.addAttribute("current", name);
        Object flashed = session.getAttribute(FLASH);
        if (flashed != null) {
            session.removeAttribute(FLASH);
            model.addAttribute("flash", flashed);
        }
        if (user.tenantId() == null && !OUTSIDE_TENANTS.contains(name)) {
            model.addAttribute("user", user);
            model.addAttribute("notice", "Choose a tenant with the Tenant switcher above.");
            return "console/" + name;
        }
        try {
            fill.accept(user);
        } catch (ConsoleApi.Refused e) {
            model.addAttribute(
                    "notice",
                    e.status == 403 ? "Your role does not allow this page: " + e.getMessage() : e.getMessage());
        }
        model.addAttribute("user", user(session)); // the API call may have renewed its tokens
        return "console/" + name;
    }

    static void flash(HttpSession session, String message) {
        session.setAttribute(FLASH, new Flash(message, false));
    }

    static void flashProblem(HttpSession session, String message) {
        session.setAttribute(FLASH, new Flash(message, true));
    }

    static ConsoleUser user(HttpSession session) {
        return (ConsoleUser) session.getAttribute(ConsoleUser.SESSION_KEY);
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A query string of the given parameters, leaving out blank ones; starts with '?' unless empty. */
    static String query(Map<String, ?> parameters) {
        StringBuilder query = new StringBuilder();
        parameters.forEach((name, value) -> {
            if (value != null && !value.toString().isBlank()) {
                query.append(query.isEmpty() ? '?' : '&')
                        .append(name)
                        .append('=')
                        .append(encode(value.toString()));
            }
        });
        return query.toString();
    }

    /** An ordered map for {@link #query}: name, value, name, value... */
    static Map<String, Object> parameters(Object... nameValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            map.put((String) nameValues[i], nameValues[i + 1]);
        }
        return map;
    }
}
