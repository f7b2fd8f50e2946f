package io.insa.iiot.loadgen;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Sends messages at a fixed total rate, round-robin over the devices, for a warm-up and a measured
 * period, and reports acknowledged points/s and send-to-acknowledgement latency. Each transport
 * supplies how one message is sent and what its acknowledgement is.
 */
final class PacedLoad {

    /** Sends one message of device {@code index}; completes with null on success or an error name. */
    @FunctionalInterface
    interface Sender {
        CompletableFuture<String> send(int index, byte[] payload);
    }

    private PacedLoad() {}

    static void run(
            int devices,
            int rate,
            int points,
            Duration warmup,
            Duration duration,
            String acknowledgement,
            Sender sender)
            throws InterruptedException {
        Recorder latency = new Recorder(3);
        // the measured messages by the second they were sent in, so that a stall can be placed in time
        // against the server's log and profile
        ConcurrentHistogram[] bySecond = new ConcurrentHistogram[(int) duration.toSeconds() + 1];
        for (int i = 0; i < bySecond.length; i++) {
            bySecond[i] = new ConcurrentHistogram(2);
        }
        long measureFromMillis = System.currentTimeMillis() + warmup.toMillis();
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        pace(
                devices,
                rate,
                points,
                measureFrom + duration.toNanos(),
                sender,
                (published, problem) -> {
                    if (published < measureFrom) {
                        return;
                    }
                    if (problem != null) {
                        errors.computeIfAbsent(problem, k -> new AtomicLong()).incrementAndGet();
                    } else {
                        acknowledged.incrementAndGet();
                        long micros = Math.max(1, (System.nanoTime() - published) / 1000);
                        latency.recordValue(micros);
                        bySecond[(int) ((published - measureFrom) / 1_000_000_000L)].recordValue(micros);
                    }
                },
                published -> {
                    if (published >= measureFrom) {
                        sent.incrementAndGet();
                    }
                });
        Thread.sleep(2000); // let the last acknowledgements arrive
        var histogram = latency.getIntervalHistogram();
        double seconds = duration.toNanos() / 1e9;
        System.out.printf(
                "result:  %d of %d messages acknowledged (%s) = %.0f msg/s = %.0f points/s%n",
                acknowledged.get(),
                sent.get(),
                acknowledgement,
                acknowledged.get() / seconds,
                acknowledged.get() * points / seconds);
        printLatencyAndErrors(histogram, acknowledgement, errors);
        for (int i = 0; i < bySecond.length; i++) {
            Histogram second = bySecond[i];
            if (second.getTotalCount() > 0) {
                System.out.printf(
                        "second:  %s sent %d, p99 %.1f ms, max %.1f ms%n",
                        Instant.ofEpochMilli(measureFromMillis + i * 1000L),
                        second.getTotalCount(),
                        second.getValueAtPercentile(99) / 1000.0,
                        second.getMaxValue() / 1000.0);
            }
        }
    }

    /**
     * Runs at a fixed total rate for a set time, reporting every minute: messages sent and acknowledged,
     * PUBACK p99 and max, errors by kind, then whatever {@code alongside} reports of the servers and
     * connections at that moment. A message counts in the minute its answer came in.
     */
    static void soak(
            int devices,
            int rate,
            int points,
            Duration total,
            Duration every,
            Sender sender,
            Supplier<String> alongside)
            throws InterruptedException {
        Recorder latency = new Recorder(3);
        Histogram whole = new Histogram(3);
        AtomicLong sent = new AtomicLong();
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<Map<String, AtomicLong>> errors = new AtomicReference<>(new ConcurrentHashMap<>());
        Map<String, AtomicLong> allErrors = new ConcurrentHashMap<>();
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor();
        long[] previous = new long[2];
        int[] interval = new int[1];
        reporter.scheduleAtFixedRate(
                () -> {
                    Histogram minute = latency.getIntervalHistogram();
                    whole.add(minute);
                    Map<String, AtomicLong> minuteErrors = errors.getAndSet(new ConcurrentHashMap<>());
                    long sentNow = sent.get();
                    long ackedNow = acknowledged.get();
                    System.out.printf(
                            "soak:    %3d min: sent %d, acked %d, p99 %.1f ms, max %.1f ms, errors %d %s | %s%n",
                            ++interval[0] * every.toMinutes(),
                            sentNow - previous[0],
                            ackedNow - previous[1],
                            minute.getValueAtPercentile(99) / 1000.0,
                            minute.getMaxValue() / 1000.0,
                            minuteErrors.values().stream()
                                    .mapToLong(AtomicLong::get)
                                    .sum(),
                            minuteErrors.isEmpty() ? "" : minuteErrors,
                            alongside.get());
                    previous[0] = sentNow;
                    previous[1] = ackedNow;
                },
                every.toMillis(),
                every.toMillis(),
                TimeUnit.MILLISECONDS);
        pace(
                devices,
                rate,
                points,
                System.nanoTime() + total.toNanos(),
                sender,
                (published, problem) -> {
                    if (problem != null) {
                        errors.get()
                                .computeIfAbsent(problem, k -> new AtomicLong())
                                .incrementAndGet();
                        allErrors
                                .computeIfAbsent(problem, k -> new AtomicLong())
                                .incrementAndGet();
                    } else {
                        acknowledged.incrementAndGet();
                        latency.recordValue(Math.max(1, (System.nanoTime() - published) / 1000));
                    }
                },
                published -> sent.incrementAndGet());
        Thread.sleep(2000); // let the last acknowledgements arrive
        reporter.shutdownNow();
        whole.add(latency.getIntervalHistogram());
        long unanswered = sent.get()
                - acknowledged.get()
                - allErrors.values().stream().mapToLong(AtomicLong::get).sum();
        System.out.printf(
                "result:  %d of %d messages acknowledged in %d min (%d unanswered)%n",
                acknowledged.get(), sent.get(), total.toMinutes(), unanswered);
        printLatencyAndErrors(whole, "PUBACK after commit, the whole soak", allErrors);
    }

    /** What became of one message: {@code problem} is null when it was acknowledged. */
    @FunctionalInterface
    private interface Outcome {
        void completed(long publishedNanos, String problem);
    }

    /**
     * Sends round-robin over the devices, one message every 1/rate s, until {@code endNanos}; tells
     * {@code onSent} of each message as it goes out and {@code outcome} when it is answered.
     */
    private static void pace(
            int devices, int rate, int points, long endNanos, Sender sender, Outcome outcome, LongConsumer onSent) {
        long interval = (long) (1e9 / rate);
        long next = System.nanoTime();
        int index = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= endNanos) {
                return;
            }
            if (next > now) {
                LockSupport.parkNanos(next - now);
            }
            next += interval;
            long published = System.nanoTime();
            onSent.accept(published);
            sender.send(index++ % devices, payload(points))
                    .whenComplete((error, failure) -> outcome.completed(
                            published, failure != null ? failure.getClass().getSimpleName() : error));
        }
    }

    /** The latency percentiles (microsecond histogram) and the errors by kind, as every mode reports them. */
    static void printLatencyAndErrors(Histogram histogram, String until, Map<?, AtomicLong> errors) {
        System.out.printf(
                "latency: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms (until %s)%n",
                histogram.getValueAtPercentile(50) / 1000.0,
                histogram.getValueAtPercentile(90) / 1000.0,
                histogram.getValueAtPercentile(99) / 1000.0,
                histogram.getValueAtPercentile(99.9) / 1000.0,
                histogram.getMaxValue() / 1000.0,
                until);
        System.out.println("errors:  " + (errors.isEmpty() ? "none" : errors));
    }

    static byte[] payload(int points) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder out = new StringBuilder("{");
        String[] keys = {"temperature", "humidity", "pressure", "vibration", "current", "voltage"};
        for (int i = 0; i < points; i++) {
            out.append(i == 0 ? "" : ",")
                    .append('"')
                    .append(i < keys.length ? keys[i] : "k" + i)
                    .append("\":")
                    .append(Math.round(random.nextDouble() * 10000) / 100.0);
        }
        return out.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }
}
