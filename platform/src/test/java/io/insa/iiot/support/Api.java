package io.insa.iiot.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real HTTP client for the running platform, with the headers the tests vary. */
public final class Api {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    public Api(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** Where the API is, e.g. {@code http://127.0.0.1:8080}. */
    public String base() {
        return base;
    }

    public Call get(String path) {
        return new Call("GET", path, null);
    }

    public Call post(String path, Object body) {
        return new Call("POST", path, body);
    }

    public Call patch(String path, Object body) {
        return new Call("PATCH", path, body);
    }

    public Call put(String path, Object body) {
        return new Call("PUT", path, body);
    }

    public Call delete(String path) {
        return new Call("DELETE", path, null);
    }

    /** Any method, as a device or a test varying it sends it; {@code body} null: none. */
    public Call request(String method, String path, Object body) {
        return new Call(method, path, body);
    }

    public static String json(Object body) {
        return body instanceof String s ? s : JSON.writeValueAsString(body);
    }

    /** One request being built. */
    public final class Call {
        private final String method;
        private final String path;
        private final Object body;
        private final Map<String, String> headers = new LinkedHashMap<>();

        private Call(String method, String path, Object body) {
            this.method = method;
            this.path = path;
            this.body = body;
        }

        public Call bearer(String token) {
            if (token != null) {
                headers.put("Authorization", "Bearer " + token);
            }
            return this;
        }

        public Call apiKey(String key) {
            headers.put("X-API-Key", key);
            return this;
        }

        /** The client address the platform sees (forwarded headers are trusted from loopback in tests). */
        public Call from(String ip) {
            headers.put("X-Forwarded-For", ip);
            return this;
        }

        public Call header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        @Override
        public String toString() {
            return method + " " + path;
        }

        public Response send() {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
            headers.forEach((name, value) -> {
                if (!name.equals("Content-Type")) {
                    request.header(name, value);
                }
            });
            if (body != null) {
                headers.putIfAbsent("Content-Type", "application/json");
                request.header("Content-Type", headers.get("Content-Type"));
                request.method(method, HttpRequest.BodyPublishers.ofString(json(body)));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                return new Response(response);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** A response with its body parsed as JSON when it is JSON. */
    public record Response(HttpResponse<String> raw) {

        public int status() {
            return raw.statusCode();
        }

        public String text() {
            return raw.body();
        }

        public JsonNode json() {
            return raw.body() == null || raw.body().isBlank() ? JSON.nullNode() : JSON.readTree(raw.body());
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return raw.request().method() + " " + raw.uri().getPath() + " -> " + status() + " " + raw.body();
        }
    }
}
