package io.insa.iiot.loadgen;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cost of rules and the delay of their alerts (issue 9), against a running platform started with
 * {@code INSA_NOTIFY_WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true}: one tenant of {@code --devices} devices;
 * phase A drives unthrottled HTTP ingest as {@code http} does with no rule in the tenant, phase B the
 * same with {@code --rules} enabled rules on the keys sent that never fire; phase C times, for
 * {@code --probes} probes, the commit of a point crossing a threshold (its 200) to the receipt of the
 * signed webhook of the alert it raises, and the same for the clearing point. Rule evaluation runs
 * after the 200, so the rule engine's meters (evaluations, queue depth, drops) are read from the
 * management port to show a backlog that the acknowledged rate alone would hide.
 */
final class RulesLoad {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String[] KEYS = {"temperature", "humidity", "pressure"};
    private static final String[] SEVERITIES = {"critical", "major", "minor", "warning"};
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(120);
    private static final int GIVE_UP_AFTER = 5; // timeouts in a row: the platform sends no webhooks
    private static final String EVALUATIONS = "insa_rules_evaluations_total";
    private static final String QUEUED = "insa_rules_queue_depth";
    private static final String DROPPED = "insa_rules_evaluations_dropped_total";
    private static final String FAILED = "insa_rules_evaluations_failed_total";
    private static final String RAISED = "insa_alerts_raised_total";

    private final Options options;
    private final String url;
    private final String managementUrl;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    RulesLoad(Options options) {
        this.options = options;
        this.url = options.get("url", "http://127.0.0.1:8080");
        this.managementUrl = options.get("management-url", "http://127.0.0.1:8081");
    }

    void run() throws Exception {
        int devices = options.integer("devices", 1000);
        int clients = options.integer("clients", 100);
        int points = options.integer("points", 3);
        Duration duration = Duration.ofSeconds(options.integer("duration", 30));
        Duration warmup = Duration.ofSeconds(options.integer("warmup", 5));
        int rules = options.integer("rules", 1000);
        int probes = options.integer("probes", 200);

        String slug = "rules-" + Long.toString(System.currentTimeMillis(), 36);
        PlatformClient api = PlatformClient.admin(options);
        String tenant = api.createTenant(slug, devices);
        api.switchTenant(tenant);
        long started = System.nanoTime();
        List<String> tokens = api.provision(devices);
        System.out.printf(
                "provisioned %d devices in tenant %s through the API in %.1f s%n",
                tokens.size(), slug, (System.nanoTime() - started) / 1e9);
        if (Double.isNaN(meters().get(EVALUATIONS))) {
            System.out.printf(
                    "note:    no %s at %s/actuator/prometheus: rule meters will read NaN%n",
                    EVALUATIONS, managementUrl);
        }

        System.out.printf(
                "method:  ingest as in `http`: HTTP POST /api/v1/{token}/telemetry, %d points a message (%s),"
                        + " %d clients each posting one message at a time (the next once the 200, sent after"
                        + " commit, is back), unthrottled, over %d devices; warm-up %d s, measured %d s; phase A"
                        + " with no rule in the tenant, phase B with %d enabled rules; rules are evaluated after"
                        + " the 200, so evaluations/s (%s), the evaluation backlog (%s) and drops are read from"
                        + " %s/actuator/prometheus, and after each phase the backlog is waited for (at most %d s)%n",
                points,
                String.join(", ", List.of(KEYS).subList(0, keysSent(points))) + (points > KEYS.length ? ", ..." : ""),
                clients,
                devices,
                warmup.toSeconds(),
                duration.toSeconds(),
                rules,
                EVALUATIONS,
                QUEUED,
                managementUrl,
                DRAIN_LIMIT.toSeconds());
        double withoutRules = ingest("A", "no rules in the tenant", tokens, clients, points, warmup, duration, 0);
        if (rules > 0) {
            List<String> ids = createLoadRules(api, rules, points);
            double withRules = ingest(
                    "B", rules + " enabled rules in the tenant", tokens, clients, points, warmup, duration, rules);
            System.out.printf(
                    "ratio:   with %d rules / without = %.0f / %.0f msg/s = %.2f%n",
                    rules, withRules, withoutRules, withRules / withoutRules);
            api = tenantAdmin(tenant); // the access token may be near its expiry by now
            started = System.nanoTime();
            for (String id : ids) {
                api.deleteRule(id);
            }
            System.out.printf(
                    "rules:   deleted the %d rules in %.1f s%n", ids.size(), (System.nanoTime() - started) / 1e9);
        }
        if (probes > 0) {
            raiseLatency(tenant, tokens, probes);
        }
    }

    /** How many of the named keys a message of {@code points} points carries (PacedLoad.payload). */
    private static int keysSent(int points) {
        return Math.max(1, Math.min(points, KEYS.length));
    }

    /**
     * Rules that never fire, spread over the keys sent so that every rule is judged once per message:
     * in turn threshold {@code > 1e6}, outside {@code [-1e6, 1e6]} and a rate of change above {@code
     * 1e12}/s, while the values sent stay within 0..100.
     */
    private static List<String> createLoadRules(PlatformClient api, int count, int points)
            throws IOException, InterruptedException {
        int keys = keysSent(points);
        long started = System.nanoTime();
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Map<String, Object> condition = switch ((i / keys) % 3) {
                case 0 -> Map.of("type", "threshold", "operator", ">", "value", 1e6, "duration_s", 0);
                case 1 -> Map.of("type", "range", "min", -1e6, "max", 1e6);
                default -> Map.of("type", "rate_of_change", "max_abs_per_s", 1e12);
            };
            ids.add(api.createRule(Map.of(
                    "name",
                    "load rule " + i,
                    "enabled",
                    true,
                    "severity",
                    SEVERITIES[i % SEVERITIES.length],
                    "scope",
                    Map.of("type", "all"),
                    "key",
                    KEYS[i % keys],
                    "condition",
                    condition,
                    "actions",
                    List.of())));
        }
        System.out.printf(
                "rules:   created %d rules through the API in %.1f s: scope all, on %s in turn, threshold > 1e6,"
                        + " outside [-1e6, 1e6] or rate of change > 1e12/s in turn, no actions (values sent stay"
                        + " within 0..100: none fires, every one is judged for every message)%n",
                count,
                (System.nanoTime() - started) / 1e9,
                String.join(", ", List.of(KEYS).subList(0, keys)));
        return ids;
    }

    /** One ingest phase with its rule meters; returns the acknowledged messages per second. */
    private double ingest(
            String phase,
            String what,
            List<String> tokens,
            int clients,
            int points,
            Duration warmup,
            Duration duration,
            int rules)
            throws InterruptedException {
        System.out.printf("phase %s: %s%n", phase, what);
        Map<String, Double> before = meters();
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long end = measureFrom + duration.toNanos();
        AtomicReference<Map<String, Double>> atMeasureFrom = new AtomicReference<>();
        AtomicReference<Map<String, Double>> atEnd = new AtomicReference<>();
        Thread sampler = Thread.ofVirtual().start(() -> {
            sleepUntil(measureFrom);
            atMeasureFrom.set(meters());
            sleepUntil(end);
            atEnd.set(meters());
        });
        HttpIngestLoad.Outcome outcome = HttpIngestLoad.drive(url, tokens, clients, 0, points, start, measureFrom, end);
        sampler.join();
        double seconds = duration.toNanos() / 1e9;
        double rate = outcome.accepted() / seconds;
        System.out.printf(
                "result:  %d messages acknowledged = %.0f msg/s = %.0f points/s stored and acknowledged%n",
                outcome.accepted(), rate, rate * points);
        PacedLoad.printLatencyAndErrors(outcome.latency(), "200 after commit", outcome.errors());
        double evaluated = (atEnd.get().get(EVALUATIONS) - atMeasureFrom.get().get(EVALUATIONS)) / seconds;
        System.out.printf(
                "rules:   %.0f evaluations/s in the measured period (%s)%s%n",
                evaluated,
                EVALUATIONS,
                rules == 0
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                "; %d rules x %.0f msg/s = %.0f/s if every acknowledged message were judged as fast",
                                rules,
                                rate,
                                rules * rate));

        double queued = atEnd.get().get(QUEUED);
        long drainStart = System.nanoTime();
        Map<String, Double> after = atEnd.get();
        while (after.get(QUEUED) > 0 && System.nanoTime() - drainStart < DRAIN_LIMIT.toNanos()) {
            Thread.sleep(250);
            after = meters();
        }
        double drained = (System.nanoTime() - drainStart) / 1e9;
        System.out.printf(
                "backlog: %.0f messages waiting for evaluation when the load stopped (%s), %s; %.0f evaluations after"
                        + " the load stopped; during the phase %.0f evaluations dropped (%s), %.0f failed (%s)%n",
                queued,
                QUEUED,
                Double.isNaN(after.get(QUEUED))
                        ? "not readable"
                        : after.get(QUEUED) > 0
                                ? String.format(Locale.ROOT, "still %.0f after %.0f s", after.get(QUEUED), drained)
                                : String.format(Locale.ROOT, "none left %.1f s later", drained),
                after.get(EVALUATIONS) - atEnd.get().get(EVALUATIONS),
                after.get(DROPPED) - before.get(DROPPED),
                DROPPED,
                after.get(FAILED) - before.get(FAILED),
                FAILED);
        return rate;
    }

    /**
     * Phase C: one rule on key {@code probe} ({@code > 0.5}, cleared by its negation) with a webhook to a
     * receiver of this process; probes round-robin over a few devices, one at a time.
     */
    private void raiseLatency(String tenant, List<String> tokens, int probes) throws Exception {
        int probeDevices = Math.min(options.integer("probe-devices", 4), tokens.size());
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String secret = "loadgen-" + HexFormat.of().formatHex(random);
        Webhooks hooks = new Webhooks(secret);
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), options.integer("webhook-port", 0)), 0);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.createContext("/hook", hooks);
        server.setExecutor(executor);
        server.start();
        String hookUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        PlatformClient api = tenantAdmin(tenant);
        String ruleId;
        try {
            ruleId = api.createRule(Map.of(
                    "name",
                    "loadgen probe",
                    "enabled",
                    true,
                    "severity",
                    "critical",
                    "scope",
                    Map.of("type", "all"),
                    "key",
                    "probe",
                    "condition",
                    Map.of("type", "threshold", "operator", ">", "value", 0.5, "duration_s", 0),
                    "actions",
                    List.of(Map.of("type", "webhook", "url", hookUrl, "secret", secret))));
        } catch (IllegalStateException e) {
            server.stop(0);
            executor.close();
            throw new IllegalStateException(
                    e.getMessage() + " (a webhook to http://127.0.0.1 needs the platform started with"
                            + " INSA_NOTIFY_WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true)",
                    e);
        }
        System.out.printf(
                "phase C: raise latency%nmethod:  one rule on key probe, threshold > 0.5, cleared by the negation,"
                        + " webhook to %s (this process, JDK HttpServer); %d probes one at a time, round-robin over"
                        + " %d devices: POST {\"probe\": 1} as the device, time from its 200 (sent after commit)"
                        + " to the receipt of the webhook with event raised for that device, then POST"
                        + " {\"probe\": 0} and the same until its cleared webhook; no other load; every"
                        + " X-Insa-Signature checked (a bad one is counted, its webhook still timed); %d s without"
                        + " the webhook is a timeout and retires the device%n",
                hookUrl, probes, probeDevices, PROBE_TIMEOUT.toSeconds());
        Map<String, Double> before = meters();

        Histogram raised = new Histogram(3);
        Histogram cleared = new Histogram(3);
        Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
        List<Integer> rotation = new ArrayList<>();
        for (int i = 0; i < probeDevices; i++) {
            rotation.add(i);
        }
        int spare = probeDevices;
        int inARow = 0;
        for (int round = 0; round < probes && !rotation.isEmpty() && inARow < GIVE_UP_AFTER; round++) {
            int slot = round % rotation.size();
            int device = rotation.get(slot);
            boolean answered = probe(tokens.get(device), "load-" + device, 1, ruleId, hooks, raised, failures)
                    && probe(tokens.get(device), "load-" + device, 0, ruleId, hooks, cleared, failures);
            if (answered) {
                inARow = 0;
            } else {
                inARow++;
                if (spare < tokens.size()) {
                    rotation.set(slot, spare++); // its rule state is unknown now
                } else {
                    rotation.remove(slot);
                }
            }
        }
        if (inARow >= GIVE_UP_AFTER) {
            System.out.printf("note:    stopped after %d probes in a row without their webhook%n", inARow);
        }
        Thread.sleep(1000); // repeated or late webhooks
        hooks.drainAll();

        printLatency("raised", raised, probes);
        printLatency("cleared", cleared, probes);
        System.out.printf(
                "webhooks: %d received, %d with a bad signature, %d unreadable, %d unexpected (another device, rule or"
                        + " event, or repeated), %d arrived before the 200 of their point (timed as 0);"
                        + " %.0f alerts raised on the platform (%s); failures: %s%n",
                hooks.received.get(),
                hooks.badSignatures.get(),
                hooks.unreadable.get(),
                hooks.unexpected.get(),
                hooks.early.get(),
                meters().get(RAISED) - before.get(RAISED),
                RAISED,
                failures.isEmpty() ? "none" : failures);

        tenantAdmin(tenant).deleteRule(ruleId);
        server.stop(0);
        executor.close();
    }

    /**
     * Posts {@code {"probe": value}} as the device and waits for the rule's webhook of the matching event for
     * it; records 200-to-webhook in µs. False when the post failed or no webhook came in time.
     */
    private boolean probe(
            String token,
            String device,
            int value,
            String ruleId,
            Webhooks hooks,
            Histogram latency,
            Map<String, AtomicLong> failures)
            throws InterruptedException {
        String event = value == 1 ? "raised" : "cleared";
        hooks.drain(device);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/v1/" + token + "/telemetry"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"probe\": " + value + "}"))
                .build();
        int status;
        try {
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            status = -1;
        }
        long acknowledged = System.nanoTime();
        if (status != 200) {
            failures.computeIfAbsent("POST " + event + " answered " + status, k -> new AtomicLong())
                    .incrementAndGet();
            return false;
        }
        Webhooks.Hook hook = hooks.await(device, event, ruleId, acknowledged + PROBE_TIMEOUT.toNanos());
        if (hook == null) {
            failures.computeIfAbsent(event + " timeout", k -> new AtomicLong()).incrementAndGet();
            return false;
        }
        if (hook.at() < acknowledged) {
            hooks.early.incrementAndGet();
        }
        latency.recordValue(Math.max(1, (hook.at() - acknowledged) / 1000));
        return true;
    }

    private static void printLatency(String event, Histogram latency, int probes) {
        System.out.printf(
                "result:  %s: %d of %d probes answered; 200 -> webhook p50 %.1f ms, p90 %.1f ms, p99 %.1f ms,"
                        + " max %.1f ms%n",
                event,
                latency.getTotalCount(),
                probes,
                latency.getValueAtPercentile(50) / 1000.0,
                latency.getValueAtPercentile(90) / 1000.0,
                latency.getValueAtPercentile(99) / 1000.0,
                latency.getMaxValue() / 1000.0);
    }

    /** The system administrator, switched to the tenant (a fresh access token). */
    private PlatformClient tenantAdmin(String tenant) throws IOException, InterruptedException {
        PlatformClient api = PlatformClient.admin(options);
        api.switchTenant(tenant);
        return api;
    }

    /** The rule engine's meters, each summed over its series; NaN when not readable. */
    private Map<String, Double> meters() {
        Map<String, Double> sums = new HashMap<>();
        for (String name : List.of(EVALUATIONS, QUEUED, DROPPED, FAILED, RAISED)) {
            sums.put(name, Double.NaN);
        }
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(managementUrl + "/actuator/prometheus"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return sums;
            }
            response.body().lines().forEach(line -> {
                int labels = line.indexOf('{');
                int space = line.indexOf(' ');
                if (line.startsWith("#") || space < 0) {
                    return;
                }
                String name = line.substring(0, labels >= 0 && labels < space ? labels : space);
                if (sums.containsKey(name)) {
                    String rest = line.substring(labels >= 0 && labels < space ? line.lastIndexOf('}') + 1 : space)
                            .strip();
                    double value = Double.parseDouble(rest.split("\\s+")[0]);
                    sums.merge(name, value, (a, b) -> Double.isNaN(a) ? b : a + b);
                }
            });
        } catch (IOException | RuntimeException e) {
            // NaN: not readable
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return sums;
    }

    private static void sleepUntil(long nanoTime) {
        for (long left; (left = nanoTime - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }

    /** The webhook receiver: checks each signature and keeps what arrived, by device name, with its time. */
    private static final class Webhooks implements HttpHandler {

        record Hook(String event, String ruleId, long at) {}

        final AtomicLong received = new AtomicLong();
        final AtomicLong badSignatures = new AtomicLong();
        final AtomicLong unreadable = new AtomicLong();
        final AtomicLong unexpected = new AtomicLong();
        final AtomicLong early = new AtomicLong();
        private final byte[] secret;
        private final Map<String, BlockingQueue<Hook>> byDevice = new ConcurrentHashMap<>();

        Webhooks(String secret) {
            this.secret = secret.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            long at = System.nanoTime();
            received.incrementAndGet();
            String signature = exchange.getRequestHeaders().getFirst("X-Insa-Signature");
            if (signature == null
                    || !MessageDigest.isEqual(
                            signature.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8),
                            sign(body).getBytes(StandardCharsets.UTF_8))) {
                badSignatures.incrementAndGet();
            }
            try {
                JsonNode json = JSON.readTree(body);
                JsonNode alert = json.path("alert");
                queue(alert.path("device_name").asString(""))
                        .add(new Hook(
                                json.path("event").asString(""),
                                alert.path("rule_id").asString(""),
                                at));
            } catch (RuntimeException e) {
                unreadable.incrementAndGet();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        }

        /** The next webhook of the rule and event for the device, or null at the deadline; others are counted. */
        Hook await(String device, String event, String ruleId, long deadline) throws InterruptedException {
            BlockingQueue<Hook> queue = queue(device);
            for (long left; (left = deadline - System.nanoTime()) > 0; ) {
                Hook hook = queue.poll(left, TimeUnit.NANOSECONDS);
                if (hook == null) {
                    return null;
                }
                if (hook.event().equals(event) && hook.ruleId().equals(ruleId)) {
                    return hook;
                }
                unexpected.incrementAndGet();
            }
            return null;
        }

        /** Counts and forgets what the device received unasked (repeated or late webhooks). */
        void drain(String device) {
            List<Hook> stray = new ArrayList<>();
            queue(device).drainTo(stray);
            unexpected.addAndGet(stray.size());
        }

        void drainAll() {
            byDevice.keySet().forEach(this::drain);
        }

        private BlockingQueue<Hook> queue(String device) {
            return byDevice.computeIfAbsent(device, d -> new LinkedBlockingQueue<>());
        }

        private String sign(byte[] body) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret, "HmacSHA256"));
                return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
            }
        }
    }
}
