package io.insa.iiot.loadgen;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The web console's server time per page with {@code --devices} devices in one tenant (issue target:
 * p95 below 100 ms with 10,000): a fresh tenant filled through the REST API (devices in CSV bulk calls,
 * rules, telemetry that raises alerts, an API key) and a tenant admin who accepted an invitation; then
 * the admin signs in to the console as a browser does (session cookie, CSRF token of the form) and each
 * page is requested {@code --warmup} times, then timed {@code --requests} times, one at a time.
 */
final class ConsolePagesLoad {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int CHUNK = 1000; // devices per bulk call
    private static final int HOT_DEVICES = 20; // devices sent a value that raises an alert
    private static final int HISTORY_POINTS = 600; // points of the device whose page is timed
    private static final double TARGET_MS = 100;
    private static final Pattern CSRF = Pattern.compile("<input[^>]*name=\"_csrf\"[^>]*>");
    private static final Pattern VALUE = Pattern.compile("value=\"([^\"]*)\"");
    private static final Pattern NOTICE = Pattern.compile("class=\"notice\"[^>]*>([^<]*)<");

    private final Options options;
    private final String url;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    ConsolePagesLoad(Options options) {
        this.options = options;
        this.url = options.get("url", "http://127.0.0.1:8080");
    }

    void run() throws Exception {
        int devices = options.integer("devices", 10_000);
        int requests = options.integer("requests", 300);
        int warmup = options.integer("warmup", 50);

        String slug = "console-" + Long.toString(System.currentTimeMillis(), 36);
        String email = "admin@" + slug + ".example";
        String password = randomPassword();
        long started = System.nanoTime();
        String admin = tenantAdmin(slug, devices, email, password);
        List<String[]> created = provision(admin, devices); // id, access token
        String deviceId = seed(admin, created);
        System.out.printf(
                "tenant:  %s with %d devices (CSV bulk calls of %d), 4 rules, %d alerts from %d devices sent"
                        + " temperature 95, %d points of temperature over the last 10 min for device %s, an API"
                        + " key; tenant admin %s (invitation accepted); set up through the API in %.1f s%n",
                slug,
                created.size(),
                CHUNK,
                count(admin, "/api/v1/alerts"),
                HOT_DEVICES,
                HISTORY_POINTS,
                deviceId,
                email,
                (System.nanoTime() - started) / 1e9);

        HttpClient browser = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER) // the sign-in must answer 302 itself
                .build();
        signIn(browser, email, password);

        List<String> pages = List.of(
                "/console/dashboard",
                "/console/devices",
                "/console/devices?name=dev-01",
                "/console/devices?page=100",
                "/console/devices/" + deviceId,
                "/console/alerts",
                "/console/rules",
                "/console/connectors",
                "/console/users",
                "/console/quotas",
                "/console/api-keys",
                "/console/audit");
        System.out.printf(
                "method:  signed in as the tenant admin like a browser (GET /console/login, POST the form with its"
                        + " _csrf token, 302 to /console/dashboard; session cookie kept); per page %d requests of"
                        + " warm-up, then %d timed GETs one at a time from this process over loopback, each from"
                        + " sending the request to the last byte of the body read: the server time as the client"
                        + " sees it (no browser rendering, scripts or styles); target p95 < %.0f ms%n",
                warmup, requests, TARGET_MS);
        String loadBefore = loadAverage();
        int missed = 0;
        for (String page : pages) {
            missed += measure(browser, page, page.replace(deviceId, "{id}"), warmup, requests) ? 0 : 1;
        }
        System.out.printf(
                "result:  %d of %d pages answered 200 with p95 < %.0f ms%n",
                pages.size() - missed, pages.size(), TARGET_MS);
        // the requests are sequential, so anything else running on the machine shows in the figures
        System.out.printf(
                "load:    load average (1, 5, 15 min) %s before the pages, %s after%n", loadBefore, loadAverage());
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "(not readable)";
        }
    }

    /**
     * A new tenant whose device quota fits, and a tenant admin of it who accepted an e-mailed invitation;
     * returns the admin's access token, active in the tenant. Without SMTP the invitation token can only
     * be read from the response, so the platform must run with {@code insa.invitations.expose-token=true}.
     */
    String tenantAdmin(String slug, int devices, String email, String password)
            throws IOException, InterruptedException {
        String system = call(null, "POST", "/api/v1/auth/login", systemAdmin())
                .get("access_token")
                .asString();
        String tenant = call(
                        system,
                        "POST",
                        "/api/v1/tenants",
                        Map.of(
                                "name",
                                "Console load " + slug,
                                "slug",
                                slug,
                                "max_devices",
                                devices,
                                "max_messages_per_second",
                                10_000_000,
                                "max_telemetry_points_per_day",
                                Long.MAX_VALUE / 4))
                .get("id")
                .asString();
        JsonNode invitation;
        try {
            invitation = call(
                            system,
                            "POST",
                            "/api/v1/tenants/" + tenant + "/users/invite",
                            Map.of("email", email, "role", "admin"))
                    .path("invitation");
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    e.getMessage() + " (start the platform with --insa.invitations.expose-token=true)", e);
        }
        if (!invitation.hasNonNull("token")) {
            throw new IllegalStateException("the invitation's token is not in the response: start the platform with"
                    + " --insa.invitations.expose-token=true (development only)");
        }
        return call(
                        null,
                        "POST",
                        "/api/v1/auth/accept-invite",
                        Map.of(
                                "token",
                                invitation.get("token").asString(),
                                "password",
                                password,
                                "name",
                                "Console load admin"))
                .get("access_token")
                .asString();
    }

    /** {@code --admin-email} and its password, as {@link PlatformClient#admin} reads them. */
    Map<String, String> systemAdmin() throws IOException {
        String password = options.get("admin-password", null);
        if (password == null) {
            password = Files.readString(Path.of(options.get("admin-password-file", "data/admin-password.txt")))
                    .strip();
        }
        return Map.of("email", options.get("admin-email", "admin@localhost"), "password", password);
    }

    /** Devices dev-00000, dev-00001, ... in CSV bulk calls; returns each one's id and access token. */
    List<String[]> provision(String admin, int count) throws IOException, InterruptedException {
        List<String[]> created = new ArrayList<>(count);
        for (int from = 0; from < count; from += CHUNK) {
            StringBuilder csv = new StringBuilder("name,type\n");
            for (int i = from; i < Math.min(count, from + CHUNK); i++) {
                csv.append(String.format(Locale.ROOT, "dev-%05d,%s\n", i, i % 3 == 0 ? "gateway" : "sensor"));
            }
            HttpResponse<String> response = send(admin, "POST", "/api/v1/devices/bulk", "text/csv", csv.toString());
            for (JsonNode device : JSON.readTree(response.body()).get("devices")) {
                created.add(new String[] {
                    device.get("id").asString(), device.get("access_token").asString()
                });
            }
        }
        return created;
    }

    /**
     * What the pages list besides devices: rules, alerts raised by telemetry, a device with a chart's
     * worth of points, an API key. Returns the id of the device whose page is timed.
     */
    private String seed(String admin, List<String[]> devices) throws IOException, InterruptedException {
        call(admin, "POST", "/api/v1/rules", rule("Hot", "major", "temperature", ">", 90));
        call(admin, "POST", "/api/v1/rules", rule("Frost", "minor", "temperature", "<", -20));
        call(admin, "POST", "/api/v1/rules", rule("Humid", "warning", "humidity", ">", 95));
        call(admin, "POST", "/api/v1/rules", rule("Overpressure", "critical", "pressure", ">", 2000));
        int hot = Math.min(HOT_DEVICES, devices.size());
        for (int i = 0; i < hot; i++) {
            telemetry(devices.get(i)[1], "{\"temperature\": 95, \"humidity\": 40, \"pressure\": 1013}");
        }
        // one device far from the hot ones, with a chart of points inside the page's default range (15 min)
        String[] charted = devices.get(devices.size() / 2);
        long now = Instant.now().toEpochMilli();
        StringBuilder points = new StringBuilder("[");
        for (int i = 0; i < HISTORY_POINTS; i++) {
            points.append(i == 0 ? "" : ",")
                    .append("{\"ts\": ")
                    .append(now - (HISTORY_POINTS - i) * 1000L)
                    .append(", \"values\": {\"temperature\": ")
                    .append(20 + (i % 60) / 10.0)
                    .append("}}");
        }
        telemetry(charted[1], points.append(']').toString());
        call(admin, "POST", "/api/v1/api-keys", Map.of("name", "bench", "scopes", List.of("read")));
        // alerts are raised after the 200 of the telemetry, by the rule engine: wait for them (at most 15 s)
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (count(admin, "/api/v1/alerts") < hot && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return charted[0];
    }

    private static Map<String, Object> rule(String name, String severity, String key, String operator, double value) {
        return Map.of(
                "name",
                name,
                "severity",
                severity,
                "key",
                key,
                "condition",
                Map.of("type", "threshold", "operator", operator, "value", value));
    }

    private void telemetry(String token, String json) throws IOException, InterruptedException {
        send(null, "POST", "/api/v1/" + token + "/telemetry", "application/json", json);
    }

    private long count(String admin, String path) throws IOException, InterruptedException {
        return call(admin, "GET", path, null).path("total").asLong();
    }

    /** Signs in through the console's own form, as a browser does; the cookie manager keeps the session. */
    private void signIn(HttpClient browser, String email, String password) throws IOException, InterruptedException {
        HttpResponse<String> form = browser.send(
                HttpRequest.newBuilder(URI.create(url + "/console/login")).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher input = CSRF.matcher(form.body());
        Matcher value = input.find() ? VALUE.matcher(input.group()) : null;
        if (form.statusCode() != 200 || value == null || !value.find()) {
            throw new IllegalStateException("GET /console/login -> " + form.statusCode() + " without a _csrf input");
        }
        String body = "email=" + encode(email) + "&password=" + encode(password) + "&_csrf=" + encode(value.group(1));
        HttpResponse<String> signedIn = browser.send(
                HttpRequest.newBuilder(URI.create(url + "/console/login"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        String location = signedIn.headers().firstValue("Location").orElse("");
        if (signedIn.statusCode() != 302 || !location.endsWith("/console/dashboard")) {
            throw new IllegalStateException("POST /console/login -> " + signedIn.statusCode() + " to '" + location
                    + "', expected 302 to /console/dashboard");
        }
        System.out.printf("console: signed in as %s: POST /console/login -> 302 %s%n", email, location);
    }

    /**
     * Warms the page up, then times it; prints its figures, and an error line when some answers were not
     * 200 (those are counted by status, not timed). True when every answer was 200 and p95 met the target.
     */
    private boolean measure(HttpClient browser, String page, String label, int warmup, int requests)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + page)).build();
        Map<Integer, Integer> statuses = new TreeMap<>();
        Histogram latency = new Histogram(3);
        String notice = null;
        String firstError = null;
        long bytes = 0;
        for (int i = 0; i < warmup + requests; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> response = browser.send(request, HttpResponse.BodyHandlers.ofByteArray());
            long micros = Math.max(1, (System.nanoTime() - start) / 1000);
            if (i < warmup) {
                continue;
            }
            int status = response.statusCode();
            String body = new String(response.body(), StandardCharsets.UTF_8);
            statuses.merge(status, 1, Integer::sum);
            if (status == 200) {
                latency.recordValue(micros);
                bytes += response.body().length;
            } else if (firstError == null) {
                firstError = response.headers()
                        .firstValue("Location")
                        .map(l -> "to " + l)
                        .orElse(excerpt(body));
            }
            // a page whose API call was refused still answers 200, with the reason in a notice
            Matcher shown = NOTICE.matcher(body);
            if (notice == null && shown.find()) {
                notice = shown.group(1).strip();
            }
        }
        int ok = statuses.getOrDefault(200, 0);
        if (ok < requests) {
            StringBuilder counted = new StringBuilder();
            statuses.forEach((status, n) -> counted.append(counted.isEmpty() ? "" : ", ")
                    .append(n)
                    .append(" x ")
                    .append(status));
            System.out.printf(
                    "error:   %-30s answered %s of %d timed requests; first: %s%n",
                    label, counted, requests, firstError);
        }
        if (notice != null) {
            System.out.printf("note:    %-30s showed the notice \"%s\"%n", label, notice);
        }
        if (ok == 0) {
            return false;
        }
        double p95 = latency.getValueAtPercentile(95) / 1000.0;
        System.out.printf(
                "page:    %-30s p50 %6.1f ms, p95 %6.1f ms, p99 %6.1f ms, max %6.1f ms; %d x 200, %.0f KB a page;"
                        + " p95 < %.0f ms: %s%n",
                label,
                latency.getValueAtPercentile(50) / 1000.0,
                p95,
                latency.getValueAtPercentile(99) / 1000.0,
                latency.getMaxValue() / 1000.0,
                ok,
                bytes / 1024.0 / ok,
                TARGET_MS,
                p95 < TARGET_MS ? "yes" : "NO");
        return ok == requests && p95 < TARGET_MS;
    }

    /** The start of an error page's text, without its markup. */
    private static String excerpt(String body) {
        String text = body.replaceAll("(?s)<head.*?</head>|<[^>]*>", " ")
                .replaceAll("\\s+", " ")
                .strip();
        return '"' + text.substring(0, Math.min(text.length(), 160)) + '"';
    }

    /** The answer's JSON to a JSON request (a null body sends none). */
    JsonNode call(String token, String method, String path, Object body) throws IOException, InterruptedException {
        HttpResponse<String> response =
                send(token, method, path, "application/json", body == null ? null : JSON.writeValueAsString(body));
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }

    private HttpResponse<String> send(String token, String method, String path, String type, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
                .header("Content-Type", type)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(
                    method + " " + path + " -> " + response.statusCode() + " " + response.body());
        }
        return response;
    }

    static String randomPassword() {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        // no word of the admin's name ("Console load admin"): the password policy would refuse it
        return "pw-" + HexFormat.of().formatHex(random);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
