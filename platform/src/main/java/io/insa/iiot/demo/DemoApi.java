package io.insa.iiot.demo;

import java.net.URI;
import java.util.Map;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The platform's REST API over loopback, signed in as the demo's administrator: the demo sets its plant
 * up exactly as a user's script would, under every check and audit entry of the API.
 */
final class DemoApi {

    /** The API refused a call; its problem detail is the message. */
    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String detail) {
            super(detail);
            this.status = status;
        }
    }

    private final String base;
    private final JsonMapper json;
    private final RestClient client = RestClient.create();
    private String email;
    private String password;
    private volatile String accessToken;

    DemoApi(String base, JsonMapper json) {
        this.base = base;
        this.json = json;
    }

    void signIn(String email, String password) {
        this.email = email;
        this.password = password;
        accessToken = send("POST", "/api/v1/auth/login", Map.of("email", email, "password", password), false)
                .get("access_token")
                .asString();
    }

    JsonNode get(String path) {
        return call("GET", path, null);
    }

    JsonNode post(String path, Object body) {
        return call("POST", path, body);
    }

    JsonNode patch(String path, Object body) {
        return call("PATCH", path, body);
    }

    /** A call with the access token; once it has expired (a demo runs for days), signs in again. */
    private JsonNode call(String method, String path, Object body) {
        try {
            return send(method, path, body, true);
        } catch (Refused e) {
            if (e.status != 401 || password == null) {
                throw e;
            }
            signIn(email, password);
            return send(method, path, body, true);
        }
    }

    private JsonNode send(String method, String path, Object body, boolean signedIn) {
        RestClient.RequestBodySpec request =
                client.method(HttpMethod.valueOf(method)).uri(URI.create(base + path));
        if (signedIn) {
            request.header("Authorization", "Bearer " + accessToken);
        }
        if (body != null) {
            request.contentType(MediaType.APPLICATION_JSON).body(json.writeValueAsString(body));
        }
        try {
            String text = request.retrieve().body(String.class);
            return text == null || text.isBlank() ? json.createObjectNode() : json.readTree(text);
        } catch (RestClientResponseException e) {
            String detail = e.getResponseBodyAsString();
            try {
                detail = json.readTree(detail).path("detail").asString(detail);
            } catch (RuntimeException notJson) {
                // the body as it is
            }
            throw new Refused(e.getStatusCode().value(), method + " " + path + ": " + detail);
        }
    }
}
