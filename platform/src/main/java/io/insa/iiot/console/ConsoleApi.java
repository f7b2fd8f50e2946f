package io.insa.iiot.console;

import io.insa.iiot.shared.ClientInfo;
import jakarta.servlet.http.HttpSession;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The console is a client of the platform's own REST API, with the signed-in user's tokens: every
 * rule of who may see and do what is the API's, enforced once (a page shows only the controls the
 * role has, and the API refuses the rest anyway). Calls go to this server over loopback, relaying the
 * address and agent of the browser they are made for, so that rate limits, the admin allow-list and
 * the audit log judge the browser and never the loopback address: a call inside a browser's request
 * relays that request's client; work that runs later (a CSV import) names the browser that started it,
 * and a call that names none is refused here rather than sent as loopback.
 */
@Component
class ConsoleApi {

    /** A refusal of the API, with its problem detail. */
    static final class Refused extends RuntimeException {
        final int status;
        /** The API asks for a second factor (login of an account with MFA). */
        final boolean mfaRequired;

        Refused(int status, String detail) {
            this(status, detail, false);
        }

        Refused(int status, String detail, boolean mfaRequired) {
            super(detail);
            this.status = status;
            this.mfaRequired = mfaRequired;
        }
    }

    private final Environment environment;
    private final JsonMapper json;
    private volatile RestClient client;

    ConsoleApi(Environment environment, JsonMapper json) {
        this.environment = environment;
        this.json = json;
    }

    /** Signs in with e-mail and password; the user as the console keeps it. */
    ConsoleUser signIn(String email, String password) {
        return signIn(email, password, null);
    }

    /**
     * Signs in with a second factor: six digits are an authenticator app's code, anything else a
     * recovery code.
     */
    ConsoleUser signIn(String email, String password, String code) {
        Map<String, String> body = new java.util.LinkedHashMap<>(Map.of("email", email, "password", password));
        if (code != null && !code.isBlank()) {
            String typed = code.replace(" ", "");
            body.put(typed.matches("\\d{6}") ? "totp_code" : "recovery_code", typed);
        }
        JsonNode tokens = send("POST", "/api/v1/auth/login", null, body);
        return user(
                tokens.get("access_token").asString(),
                tokens.get("refresh_token").asString());
    }

    /** Creates the invited account (token from the e-mail) and signs it in. */
    ConsoleUser acceptInvitation(String token, String name, String password) {
        JsonNode tokens = send(
                "POST", "/api/v1/auth/accept-invite", null, Map.of("token", token, "name", name, "password", password));
        return user(
                tokens.get("access_token").asString(),
                tokens.get("refresh_token").asString());
    }

    ConsoleUser switchTenant(ConsoleUser user, String tenantId) {
        JsonNode tokens = send("POST", "/api/v1/auth/switch-tenant", user.accessToken(), Map.of("tenant_id", tenantId));
        return user(
                tokens.get("access_token").asString(),
                tokens.get("refresh_token").asString());
    }

    /** The user again, with the tenants the switcher offers read anew (after a tenant was created). */
    ConsoleUser refreshChoices(ConsoleUser user) {
        return user(user.accessToken(), user.refreshToken());
    }

    void signOut(ConsoleUser user) {
        try {
            send("POST", "/api/v1/auth/logout", user.accessToken(), Map.of("refresh_token", user.refreshToken()));
        } catch (Refused e) {
            // the session is gone already
        }
    }

    JsonNode get(HttpSession session, String path) {
        return call(session, "GET", path, null);
    }

    JsonNode post(HttpSession session, String path, Object body) {
        return call(session, "POST", path, body == null ? Map.of() : body);
    }

    JsonNode patch(HttpSession session, String path, Object body) {
        return call(session, "PATCH", path, body);
    }

    JsonNode delete(HttpSession session, String path) {
        return call(session, "DELETE", path, null);
    }

    /** Posts a body that is not JSON (a CSV file), as the given media type. */
    JsonNode post(HttpSession session, String path, MediaType type, String text) {
        return call(session, "POST", path, new Raw(type, text));
    }

    /**
     * Posts a body that is not JSON from work that outlives the browser's request (a background import),
     * for the browser that started it ({@link ClientInfo#current()} of that request).
     */
    JsonNode post(HttpSession session, ClientInfo browser, String path, MediaType type, String text) {
        return call(session, browser, "POST", path, new Raw(type, text), false);
    }

    /** A response that is not JSON (a CSV export), as text. */
    String text(HttpSession session, String path) {
        return call(session, "GET", path, null, true).asString();
    }

    /** JSON a user typed into a form (a command's parameters). */
    JsonNode parse(String text) {
        return json.readTree(text);
    }

    /** A request body sent as it is. */
    private record Raw(MediaType type, String text) {}

    /** A call as the session's user; an expired access token is refreshed once. */
    private JsonNode call(HttpSession session, String method, String path, Object body) {
        return call(session, method, path, body, false);
    }

    private JsonNode call(HttpSession session, String method, String path, Object body, boolean asText) {
        return call(session, browser(), method, path, body, asText);
    }

    private JsonNode call(
            HttpSession session, ClientInfo browser, String method, String path, Object body, boolean asText) {
        ConsoleUser user = (ConsoleUser) session.getAttribute(ConsoleUser.SESSION_KEY);
        try {
            return send(method, path, user.accessToken(), body, asText, browser);
        } catch (Refused e) {
            if (e.status != 401) {
                throw e;
            }
            JsonNode refreshed = send(
                    "POST", "/api/v1/auth/refresh", null, Map.of("refresh_token", user.refreshToken()), false, browser);
            ConsoleUser renewed = user.withTokens(
                    refreshed.get("access_token").asString(),
                    refreshed.get("refresh_token").asString());
            session.setAttribute(ConsoleUser.SESSION_KEY, renewed);
            return send(method, path, renewed.accessToken(), body, asText, browser);
        }
    }

    /** The browser of the current request; outside one, a call must say whose it is. */
    private static ClientInfo browser() {
        ClientInfo current = ClientInfo.current();
        if (current.ip() == null) {
            throw new IllegalStateException(
                    "a console call outside a browser's request must name the browser it is made for");
        }
        return current;
    }

    private ConsoleUser user(String access, String refresh) {
        JsonNode me = send("GET", "/api/v1/auth/me", access, null);
        boolean admin = me.at("/user/is_admin").asBoolean();
        List<ConsoleUser.TenantChoice> tenants = new ArrayList<>();
        if (admin) {
            send("GET", "/api/v1/tenants?size=500", access, null)
                    .get("items")
                    .forEach(t -> tenants.add(new ConsoleUser.TenantChoice(
                            t.get("id").asString(), t.get("name").asString())));
        } else {
            me.get("memberships")
                    .forEach(t -> tenants.add(new ConsoleUser.TenantChoice(
                            t.get("id").asString(), t.get("name").asString())));
        }
        JsonNode tenant = me.get("tenant");
        boolean inTenant = tenant != null && !tenant.isNull();
        String role = inTenant && tenant.hasNonNull("role") ? tenant.get("role").asString() : null;
        boolean member = inTenant
                && me.get("memberships")
                        .valueStream()
                        .anyMatch(m ->
                                m.get("id").asString().equals(tenant.get("id").asString()));
        return new ConsoleUser(
                access,
                refresh,
                me.at("/user/email").asString(),
                admin,
                inTenant ? tenant.get("id").asString() : null,
                inTenant ? tenant.get("name").asString() : null,
                role,
                member,
                List.copyOf(tenants),
                me.at("/user/mfa_enabled").asBoolean(),
                me.path("mfa_enrollment_required").asBoolean(),
                loginSession(access));
    }

    /** The login session an access token names ({@code sid}); the token is the API's own, read as it came. */
    private UUID loginSession(String access) {
        String[] parts = access.split("\\.");
        JsonNode claims = json.readTree(java.util.Base64.getUrlDecoder().decode(parts[1]));
        return UUID.fromString(claims.get("sid").asString());
    }

    private JsonNode send(String method, String path, String token, Object body) {
        return send(method, path, token, body, false);
    }

    private JsonNode send(String method, String path, String token, Object body, boolean asText) {
        return send(method, path, token, body, asText, browser());
    }

    /** One call of the API; a JSON answer is parsed, or with {@code asText} kept as a text node. */
    private JsonNode send(String method, String path, String token, Object body, boolean asText, ClientInfo browser) {
        // the path's query is encoded already (ConsolePages.query): taken as it is, not encoded twice
        RestClient.RequestBodySpec request = client().method(org.springframework.http.HttpMethod.valueOf(method))
                .uri(URI.create(base() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        request.header(ClientInfo.RELAYED_FOR, browser.ip()).header(ClientInfo.RELAY_KEY, ClientInfo.RELAY_SECRET);
        if (browser.userAgent() != null) {
            request.header(ClientInfo.RELAYED_AGENT, browser.userAgent());
        }
        if (body instanceof Raw raw) {
            request.contentType(raw.type()).body(raw.text());
        } else if (body != null) {
            request.contentType(MediaType.APPLICATION_JSON).body(json.writeValueAsString(body));
        }
        try {
            String text = request.retrieve().body(String.class);
            if (asText) {
                return tools.jackson.databind.node.JsonNodeFactory.instance.stringNode(text == null ? "" : text);
            }
            return text == null || text.isBlank() ? json.createObjectNode() : json.readTree(text);
        } catch (RestClientResponseException e) {
            JsonNode problem = problem(e.getResponseBodyAsString());
            throw new Refused(
                    e.getStatusCode().value(),
                    problem.path("detail")
                            .asString(
                                    "the platform answered " + e.getStatusCode().value()),
                    problem.path("mfa_required").asBoolean());
        }
    }

    /** The problem+json of a refusal; an empty object when the body is not JSON. */
    private JsonNode problem(String body) {
        try {
            JsonNode problem = json.readTree(body);
            return problem == null || !problem.isObject() ? json.createObjectNode() : problem;
        } catch (RuntimeException notJson) {
            return json.createObjectNode();
        }
    }

    private RestClient client() {
        RestClient current = client;
        if (current == null) {
            current = RestClient.create();
            client = current;
        }
        return current;
    }

    /** This server over loopback; the port is known once the server has started. */
    private String base() {
        return "http://127.0.0.1:"
                + environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
    }
}
