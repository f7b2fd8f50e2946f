package io.insa.iiot.console;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The console as a plain HTTP client sees it: a session cookie, the CSRF token of its forms, and a
 * client address chosen through {@code X-Forwarded-For} (loopback is a trusted proxy in the tests).
 * For what a browser adds nothing to: sign-in, forms, uploads and the live event streams.
 */
public final class ConsoleClient {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private static final Pattern CSRF_META = Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"");

    private final String base;
    private final HttpClient http;
    private volatile String from;

    public ConsoleClient(int port, String from) {
        this.base = "http://127.0.0.1:" + port;
        this.http = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.from = from;
    }

    /** The client address of the requests from now on. */
    public ConsoleClient from(String address) {
        this.from = address;
        return this;
    }

    /** Signs in with the login form; fails unless the console sends the browser on to a page of its own. */
    public void signIn(String email, String password) {
        String token = csrf(get("/console/login").body());
        HttpResponse<String> signedIn =
                form("/console/login", Map.of("email", email, "password", password, "_csrf", token));
        String location = signedIn.headers().firstValue("Location").orElse("");
        if (signedIn.statusCode() != 302 || !location.contains("/console/")) {
            throw new IllegalStateException(
                    "sign-in refused: " + signedIn.statusCode() + " " + location + " " + signedIn.body());
        }
    }

    public HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    /** Posts a form of the signed-in session, with the CSRF token of its pages. */
    public HttpResponse<String> post(String path, Map<String, String> fields) {
        Map<String, String> withToken = new java.util.LinkedHashMap<>(fields);
        withToken.put("_csrf", csrf(get("/console/devices/import").body()));
        return form(path, withToken);
    }

    /** Uploads a file as a form field (multipart), with the CSRF token of the session's pages. */
    public HttpResponse<String> upload(String path, String field, String filename, String content) {
        String token = csrf(get("/console/devices/import").body());
        String boundary = "----insa" + UUID.randomUUID();
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + token + "\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"" + field + "\"; filename=\"" + filename + "\"\r\n"
                + "Content-Type: text/csv\r\n\r\n" + content + "\r\n"
                + "--" + boundary + "--\r\n";
        return send(request(path)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    /** Opens a device's live stream of one key, as the device page does. */
    public LiveStream live(UUID device, String key) {
        return new LiveStream(
                http,
                request("/console/devices/" + device + "/live?key=" + key)
                        .header("Accept", "text/event-stream")
                        .GET()
                        .build());
    }

    private HttpResponse<String> form(String path, Map<String, String> fields) {
        String body = fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(request(path)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("X-Forwarded-For", from);
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String csrf(String page) {
        for (Pattern pattern : new Pattern[] {CSRF, CSRF_META}) {
            Matcher m = pattern.matcher(page);
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new IllegalStateException("no CSRF token on the page: " + page);
    }

    /**
     * A Server-Sent Events stream being read: the data of each event, and whether the server ended it.
     * Opened without waiting: the server sends its headers with the first event.
     */
    public static final class LiveStream implements AutoCloseable {

        private final BlockingQueue<String> data = new LinkedBlockingQueue<>();
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        private final CompletableFuture<HttpResponse<Stream<String>>> response;

        LiveStream(HttpClient http, HttpRequest request) {
            response = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
            response.whenComplete((answer, failure) -> {
                if (failure != null || answer.statusCode() != 200) {
                    ended.completeExceptionally(
                            failure != null
                                    ? failure
                                    : new IllegalStateException("the live stream answered " + answer.statusCode()));
                    return;
                }
                Thread.ofVirtual().start(() -> {
                    try (Stream<String> lines = answer.body()) {
                        lines.filter(line -> line.startsWith("data:")).forEach(line -> data.add(line.substring(5)));
                    } catch (RuntimeException e) {
                        // the connection broke: ended all the same
                    }
                    ended.complete(null);
                });
            });
        }

        /** The next event's data within the wait, or null. */
        public String next(Duration wait) throws InterruptedException {
            return data.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Forgets the events received so far. */
        public void forgetReceived() {
            data.clear();
        }

        /** Whether the server ended the stream within the wait. */
        public boolean endsWithin(Duration wait) {
            try {
                ended.get(wait.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                return true;
            }
        }

        @Override
        public void close() {
            response.cancel(true);
            if (response.isDone() && !response.isCompletedExceptionally()) {
                response.join().body().close();
            }
        }
    }
}
