package io.insa.iiot.loadgen;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * HTTP ingest load: N devices provisioned through the API, M concurrent clients each posting one
 * message at a time (and so waiting for its commit), spread over the devices, at a target total rate
 * or as fast as acknowledgements come back. Latency is measured per request, send to 200.
 */
final class HttpIngestLoad {

    private final Options options;

    HttpIngestLoad(Options options) {
        this.options = options;
    }

    void run() throws Exception {
        String url = options.get("url", "http://127.0.0.1:8080");
        int clients = options.integer("clients", 200);
        int rate = options.integer("rate", 0);
        int points = options.integer("points", 3);
        Duration duration = Duration.ofSeconds(options.integer("duration", 60));
        Duration warmup = Duration.ofSeconds(options.integer("warmup", 10));

        List<String> tokens = PlatformClient.provisionedDevices(options, "load");
        System.out.printf(
                "method:  HTTP POST /api/v1/{token}/telemetry, %d points a message, %d clients, %s, warm-up %d s, measured %d s%n",
                points,
                clients,
                rate == 0 ? "unthrottled (next message when the last is acknowledged)" : "target " + rate + " msg/s",
                warmup.toSeconds(),
                duration.toSeconds());

        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long end = measureFrom + duration.toNanos();
        Outcome outcome = drive(url, tokens, clients, rate, points, start, measureFrom, end);
        double seconds = duration.toNanos() / 1e9;
        System.out.printf(
                "result:  %d messages acknowledged = %.0f msg/s = %.0f points/s stored and acknowledged%n",
                outcome.accepted(), outcome.accepted() / seconds, outcome.accepted() * points / seconds);
        PacedLoad.printLatencyAndErrors(outcome.latency(), "200 after commit", outcome.errors());
    }

    /** What the clients saw in the measured period: messages answered 200, their latency (µs), the rest by status. */
    record Outcome(long accepted, Histogram latency, Map<Integer, AtomicLong> errors) {}

    /**
     * Runs the clients from {@code start} (System.nanoTime) until {@code end}, each posting one message of
     * {@code points} points at a time over the devices' tokens, at a total {@code rate} (0: unthrottled);
     * answers that arrive before {@code measureFrom} are not counted.
     */
    static Outcome drive(
            String url, List<String> tokens, int clients, int rate, int points, long start, long measureFrom, long end)
            throws InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Recorder latency = new Recorder(3);
        AtomicLong accepted = new AtomicLong();
        Map<Integer, AtomicLong> errors = new ConcurrentHashMap<>();
        long perClientInterval = rate == 0 ? 0 : (long) (1e9 * clients / rate);
        List<Thread> workers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            workers.add(Thread.ofVirtual().start(() -> {
                long next = start + ThreadLocalRandom.current().nextLong(Math.max(1, perClientInterval));
                int device = client;
                while (true) {
                    long now = System.nanoTime();
                    if (now >= end) {
                        return;
                    }
                    if (perClientInterval > 0) {
                        if (next > now) {
                            LockSupport.parkNanos(next - now);
                        }
                        next += perClientInterval;
                    }
                    String token = tokens.get(device % tokens.size());
                    device += clients;
                    HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/v1/" + token + "/telemetry"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(PacedLoad.payload(points)))
                            .build();
                    long sent = System.nanoTime();
                    int status;
                    try {
                        status = http.send(request, HttpResponse.BodyHandlers.discarding())
                                .statusCode();
                    } catch (Exception e) {
                        status = -1;
                    }
                    long done = System.nanoTime();
                    if (done < measureFrom) {
                        continue;
                    }
                    if (status == 200) {
                        accepted.incrementAndGet();
                        latency.recordValue(Math.max(1, (done - sent) / 1000));
                    } else {
                        errors.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                    }
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        return new Outcome(accepted.get(), latency.getIntervalHistogram(), errors);
    }
}
