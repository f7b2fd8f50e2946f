package io.insa.iiot.loadgen;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a soak reads of one platform node at each report: its resident memory (from /proc), its heap
 * after garbage collection (the lowest after-collection size in the lines its GC log,
 * {@code -Xlog:gc:file=...}, gained since the last report: the nearest to its live data) and its
 * ingest queue depth ({@code insa_ingest_queue_depth} on its management port).
 */
final class ServerProbe {

    /** "Pause Young (Normal) (G1 Evacuation Pause) 120M->40M(256M) 3.2ms": the 40. */
    private static final Pattern AFTER_COLLECTION = Pattern.compile("\\d+M->(\\d+)M\\(\\d+M\\)");

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String name;
    private final long pid;
    private final String managementUrl;
    private final Optional<Path> gcLog;
    private long gcLogRead;

    ServerProbe(String name, long pid, String managementUrl, Optional<Path> gcLog) {
        this.name = name;
        this.pid = pid;
        this.managementUrl = managementUrl;
        this.gcLog = gcLog;
    }

    /** "node1 RSS 812 MiB, heap after GC 143 MiB, queue 12" ("-" for what could not be read). */
    String sample() {
        long rss = MqttLoad.rssKiB(pid);
        return "%s RSS %s MiB, heap after GC %s MiB, queue %s"
                .formatted(
                        name,
                        rss < 0 ? "-" : Long.toString(rss / 1024),
                        heapAfterCollection().map(String::valueOf).orElse("-"),
                        queueDepth().map(String::valueOf).orElse("-"));
    }

    private Optional<Long> heapAfterCollection() {
        if (gcLog.isEmpty() || !Files.isReadable(gcLog.get())) {
            return Optional.empty();
        }
        try (RandomAccessFile file = new RandomAccessFile(gcLog.get().toFile(), "r")) {
            if (file.length() < gcLogRead) {
                gcLogRead = 0; // rotated
            }
            byte[] added = new byte[(int) (file.length() - gcLogRead)];
            file.seek(gcLogRead);
            file.readFully(added);
            gcLogRead += added.length;
            Matcher after = AFTER_COLLECTION.matcher(new String(added, StandardCharsets.UTF_8));
            long lowest = Long.MAX_VALUE;
            while (after.find()) {
                lowest = Math.min(lowest, Long.parseLong(after.group(1)));
            }
            return lowest == Long.MAX_VALUE ? Optional.empty() : Optional.of(lowest);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Optional<Long> queueDepth() {
        try {
            String metrics = HTTP.send(
                            HttpRequest.newBuilder(URI.create(managementUrl + "/actuator/prometheus"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            return metrics.lines()
                    .filter(l -> l.startsWith("insa_ingest_queue_depth"))
                    .map(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
