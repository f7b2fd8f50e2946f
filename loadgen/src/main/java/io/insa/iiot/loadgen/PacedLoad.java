package io.insa.iiot.loadgen;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
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
        long end = measureFrom + duration.toNanos();
        long interval = (long) (1e9 / rate);
        long next = start;
        int index = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            if (next > now) {
                LockSupport.parkNanos(next - now);
            }
            next += interval;
            long published = System.nanoTime();
            boolean measured = published >= measureFrom;
            if (measured) {
                sent.incrementAndGet();
            }
            sender.send(index++ % devices, payload(points)).whenComplete((error, failure) -> {
                if (!measured) {
                    return;
                }
                String problem = failure != null ? failure.getClass().getSimpleName() : error;
                if (problem != null) {
                    errors.computeIfAbsent(problem, k -> new AtomicLong()).incrementAndGet();
                } else {
                    acknowledged.incrementAndGet();
                    long micros = Math.max(1, (System.nanoTime() - published) / 1000);
                    latency.recordValue(micros);
                    bySecond[(int) ((published - measureFrom) / 1_000_000_000L)].recordValue(micros);
                }
            });
        }
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
