package io.insa.iiot.console;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.JsonNode;

/**
 * The web console's pages (SPEC 8): sign-in, the top bar with the tenant switcher, and one page per
 * area. Each page reads the platform's REST API as the signed-in user; a refusal shows on the page.
 */
@Controller
class ConsoleController implements WebMvcConfigurer {

    static final String LOGIN = "/console/login";

    private final ConsoleApi api;
    private final LiveTelemetry live;

    ConsoleController(ConsoleApi api, LiveTelemetry live) {
        this.api = api;
        this.live = live;
    }

    /** Every console page but sign-in needs a signed-in session. */
    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
                    @Override
                    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
                            throws Exception {
                        HttpSession session = request.getSession(false);
                        if (session == null || session.getAttribute(ConsoleUser.SESSION_KEY) == null) {
                            response.sendRedirect(LOGIN);
                            return false;
                        }
                        return true;
                    }
                })
                .addPathPatterns("/console/**")
                .excludePathPatterns(LOGIN, "/console/assets/**");
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
            return "redirect:/console/dashboard";
        } catch (ConsoleApi.Refused e) {
            response.setStatus(e.status == 429 ? 429 : 401);
            model.addAttribute("error", e.getMessage());
            model.addAttribute("email", email);
            return "console/login";
        }
    }

    @PostMapping("/console/logout")
    String signOut(HttpSession session) {
        api.signOut(user(session));
        session.invalidate();
        return "redirect:" + LOGIN;
    }

    @PostMapping("/console/tenant")
    String switchTenant(@RequestParam("tenant_id") String tenantId, HttpSession session, Model model) {
        session.setAttribute(ConsoleUser.SESSION_KEY, api.switchTenant(user(session), tenantId));
        return "redirect:/console/dashboard";
    }

    @GetMapping("/console/dashboard")
    String dashboard(HttpSession session, Model model) {
        return page(session, model, "dashboard", user -> {
            JsonNode stats = api.get(session, "/api/v1/tenants/" + user.tenantId() + "/stats");
            model.addAttribute("stats", stats);
            Map<String, Integer> bySeverity = new LinkedHashMap<>();
            for (String severity : List.of("critical", "major", "minor", "warning")) {
                bySeverity.put(severity, 0);
            }
            api.get(session, "/api/v1/alerts?status=active&size=500")
                    .get("items")
                    .forEach(a -> bySeverity.merge(a.get("severity").asString(), 1, Integer::sum));
            model.addAttribute("bySeverity", bySeverity);
        });
    }

    @GetMapping("/console/devices")
    String devices(
            @RequestParam(required = false, defaultValue = "") String name,
            @RequestParam(required = false, defaultValue = "0") int page,
            HttpSession session,
            Model model) {
        return page(session, model, "devices", user -> {
            String query = "?size=50&page=" + Math.max(0, page) + (name.isBlank() ? "" : "&name=" + encode(name));
            JsonNode devices = api.get(session, "/api/v1/devices" + query);
            model.addAttribute("list", devices);
            model.addAttribute("name", name);
            model.addAttribute("page", Math.max(0, page));
        });
    }

    @GetMapping("/console/devices/{id}")
    String device(
            @PathVariable String id, @RequestParam(required = false) String key, HttpSession session, Model model) {
        return page(session, model, "device", user -> {
            JsonNode device = api.get(session, "/api/v1/devices/" + encode(id));
            JsonNode latest = api.get(session, "/api/v1/devices/" + encode(id) + "/telemetry/latest")
                    .get("values");
            model.addAttribute("device", device.has("device") ? device.get("device") : device);
            model.addAttribute("latest", latest);
            String chosen = key;
            if (chosen == null || chosen.isBlank()) {
                chosen = latest.propertyNames().stream()
                        .filter(k -> latest.get(k).get("value").isNumber())
                        .findFirst()
                        .orElse("");
            }
            model.addAttribute("key", chosen);
        });
    }

    /** The live points of a device's key (Server-Sent Events); the API decides whether the user may see the device. */
    @GetMapping(value = "/console/devices/{id}/live", produces = "text/event-stream")
    org.springframework.web.servlet.mvc.method.annotation.SseEmitter live(
            @PathVariable java.util.UUID id, @RequestParam String key, HttpSession session) {
        api.get(session, "/api/v1/devices/" + id);
        return live.watch(id, key);
    }

    @GetMapping("/console/alerts")
    String alerts(
            @RequestParam(required = false, defaultValue = "active") String status, HttpSession session, Model model) {
        return page(session, model, "alerts", user -> {
            String filter = status.equals("all") ? "" : "&status=" + encode(status);
            model.addAttribute("list", api.get(session, "/api/v1/alerts?size=100" + filter));
            model.addAttribute("status", status);
        });
    }

    @PostMapping("/console/alerts/{id}/{action:acknowledge|clear}")
    String alertAction(@PathVariable String id, @PathVariable String action, HttpSession session, Model model) {
        user(session);
        api.post(session, "/api/v1/alerts/" + encode(id) + "/" + action, null);
        return "redirect:/console/alerts";
    }

    @PostMapping("/console/devices")
    String createDevice(
            @RequestParam String name, @RequestParam(defaultValue = "sensor") String type, HttpSession session) {
        JsonNode created = api.post(session, "/api/v1/devices", Map.of("name", name, "type", type));
        flash(
                session,
                "Device " + name + " created. Its access token, shown this once: "
                        + created.get("access_token").asString());
        return "redirect:/console/devices";
    }

    @PostMapping("/console/rules/{id}/enabled")
    String enableRule(@PathVariable String id, @RequestParam boolean enabled, HttpSession session) {
        api.patch(session, "/api/v1/rules/" + encode(id), Map.of("enabled", enabled));
        return "redirect:/console/rules";
    }

    @PostMapping("/console/api-keys")
    String createApiKey(
            @RequestParam String name, @RequestParam(required = false) List<String> scopes, HttpSession session) {
        JsonNode created = api.post(
                session, "/api/v1/api-keys", Map.of("name", name, "scopes", scopes == null ? List.of("read") : scopes));
        flash(
                session,
                "API key " + name + " created. The key, shown this once: "
                        + created.path("key").asString(""));
        return "redirect:/console/api-keys";
    }

    @PostMapping("/console/api-keys/{id}/revoke")
    String revokeApiKey(@PathVariable String id, HttpSession session) {
        api.delete(session, "/api/v1/api-keys/" + encode(id));
        flash(session, "API key revoked.");
        return "redirect:/console/api-keys";
    }

    @PostMapping("/console/users")
    String invite(@RequestParam String email, @RequestParam String role, HttpSession session) {
        api.post(
                session,
                "/api/v1/tenants/" + user(session).tenantId() + "/users/invite",
                Map.of("email", email, "role", role));
        flash(session, "Invitation sent to " + email + ".");
        return "redirect:/console/users";
    }

    @GetMapping("/console/rules")
    String rules(HttpSession session, Model model) {
        return page(
                session,
                model,
                "rules",
                user -> model.addAttribute("list", api.get(session, "/api/v1/rules?size=200")));
    }

    @GetMapping("/console/connectors")
    String connectors(HttpSession session, Model model) {
        return page(session, model, "connectors", user -> {
            JsonNode connectors = api.get(session, "/api/v1/connectors/opcua?size=200");
            List<Map<String, Object>> rows = new ArrayList<>();
            for (JsonNode c : connectors.get("items")) {
                JsonNode status = api.get(
                        session, "/api/v1/connectors/opcua/" + c.get("id").asString() + "/status");
                rows.add(Map.of("connector", c, "status", status));
            }
            model.addAttribute("rows", rows);
        });
    }

    @GetMapping("/console/users")
    String users(HttpSession session, Model model) {
        return page(
                session,
                model,
                "users",
                user -> model.addAttribute(
                        "list", api.get(session, "/api/v1/tenants/" + user.tenantId() + "/users?size=200")));
    }

    @GetMapping("/console/quotas")
    String quotas(HttpSession session, Model model) {
        return page(
                session,
                model,
                "quotas",
                user -> model.addAttribute(
                        "quotas", api.get(session, "/api/v1/tenants/" + user.tenantId() + "/quotas")));
    }

    @GetMapping("/console/api-keys")
    String apiKeys(HttpSession session, Model model) {
        return page(
                session, model, "api-keys", user -> model.addAttribute("list", api.get(session, "/api/v1/api-keys")));
    }

    @GetMapping("/console/audit")
    String audit(HttpSession session, Model model) {
        return page(
                session,
                model,
                "audit",
                user -> model.addAttribute("list", api.get(session, "/api/v1/audit?size=100")));
    }

    /** An action the API refused (a viewer's acknowledge, a stale alert): the page says why. */
    @org.springframework.web.bind.annotation.ExceptionHandler(ConsoleApi.Refused.class)
    String refused(ConsoleApi.Refused e, HttpSession session, HttpServletResponse response, Model model) {
        response.setStatus(e.status);
        model.addAttribute("user", user(session));
        model.addAttribute("current", "");
        model.addAttribute("notice", e.getMessage());
        return "console/dashboard";
    }

    /** Renders a page of the active tenant; without one, or when the API refuses, the page says so. */
    private String page(HttpSession session, Model model, String name, java.util.function.Consumer<ConsoleUser> fill) {
        ConsoleUser user = user(session);
        model.addAttribute("user", user);
        model.addAttribute("current", name);
        Object flashed = session.getAttribute(FLASH);
        if (flashed != null) {
            session.removeAttribute(FLASH);
            model.addAttribute("flash", flashed);
        }
        if (user.tenantId() == null) {
            model.addAttribute("notice", "Choose a tenant with the Tenant switcher above.");
            return "console/" + name;
        }
        try {
            fill.accept(user(session));
            model.addAttribute("user", user(session));
        } catch (ConsoleApi.Refused e) {
            model.addAttribute(
                    "notice",
                    e.status == 403 ? "Your role does not allow this page: " + e.getMessage() : e.getMessage());
        }
        return "console/" + name;
    }

    /** A message for the next page only (a secret shown once, a confirmation). */
    private static void flash(HttpSession session, String message) {
        session.setAttribute(FLASH, message);
    }

    private static final String FLASH = ConsoleController.class.getName() + ".flash";

    private static ConsoleUser user(HttpSession session) {
        return (ConsoleUser) session.getAttribute(ConsoleUser.SESSION_KEY);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
