package io.insa.iiot.loadgen;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Recorder;

/**
 * MQTT ingest load: N devices provisioned through the API, each holding its own MQTT 5 connection
 * (HiveMQ client, username = access token), publishing telemetry at a target total rate with QoS 0
 * or 1. Reports connect time, acknowledged points/s, publish-to-PUBACK latency, and the server's
 * memory per idle connection when its process id is known.
 */
final class MqttLoad {

    private final Options options;

    MqttLoad(Options options) {
        this.options = options;
    }

    void run() throws Exception {
        // Actuator listens on its own port (management.server.port), loopback only
        String managementUrl = options.get("management-url", "http://127.0.0.1:8081");
        String host = options.get("mqtt-host", "127.0.0.1");
        int port = options.integer("mqtt-port", 1883);
        int rate = options.integer("rate", 5_000);
        int points = options.integer("points", 3);
        int qos = options.integer("qos", 1);
        Duration duration = Duration.ofSeconds(options.integer("duration", 60));
        Duration warmup = Duration.ofSeconds(options.integer("warmup", 20));
        Optional<Long> serverPid =
                Optional.ofNullable(options.get("server-pid", null)).map(Long::parseLong);

        List<String> tokens = PlatformClient.provisionedDevices(options, "mqtt");
        System.out.printf(
                "method:  MQTT 5 (HiveMQ client), one connection per device, QoS %d, %d points a message, target %d msg/s"
                        + " spread over all connections, warm-up %d s, measured %d s%n",
                qos, points, rate, warmup.toSeconds(), duration.toSeconds());

        long rssBefore = serverPid.map(MqttLoad::rssKiB).orElse(-1L);
        long heapBefore = heapUsed(managementUrl);
        Recorder connectLatency = new Recorder(3);
        List<Mqtt5AsyncClient> clients = new ArrayList<>(tokens.size());
        long connectStart = System.nanoTime();
        List<CompletableFuture<?>> connecting = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            Mqtt5AsyncClient client = MqttClient.builder()
                    .useMqttVersion5()
                    .identifier("load-" + i)
                    .serverHost(host)
                    .serverPort(port)
                    .buildAsync();
            clients.add(client);
            long started = System.nanoTime();
            connecting.add(client.connectWith()
                    .keepAlive(120)
                    .simpleAuth()
                    .username(tokens.get(i))
                    .applySimpleAuth()
                    .send()
                    .thenRun(() -> connectLatency.recordValue(Math.max(1, (System.nanoTime() - started) / 1000))));
            if (connecting.size() >= 500) { // keep the handshakes in flight bounded
                CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new))
                        .join();
                connecting.clear();
            }
        }
        CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new)).join();
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        var connects = connectLatency.getIntervalHistogram();
        System.out.printf(
                "connect: %d connections in %.1f s (%.0f/s), connect p50 %.1f ms, p99 %.1f ms%n",
                clients.size(),
                connectSeconds,
                clients.size() / connectSeconds,
                connects.getValueAtPercentile(50) / 1000.0,
                connects.getValueAtPercentile(99) / 1000.0);
        Thread.sleep(3000);
        if (rssBefore > 0) {
            long rssIdle = rssKiB(serverPid.get());
            long heapIdle = heapUsed(managementUrl);
            System.out.printf(
                    "memory:  server RSS %d -> %d MiB with %d idle connections: %.1f KiB per connection;"
                            + " heap used %d -> %d MiB (%.1f KiB per connection, before any GC)%n",
                    rssBefore / 1024,
                    rssIdle / 1024,
                    clients.size(),
                    (rssIdle - rssBefore) / (double) clients.size(),
                    heapBefore >> 20,
                    heapIdle >> 20,
                    (heapIdle - heapBefore) / 1024.0 / clients.size());
        }

        MqttQos level = qos == 0 ? MqttQos.AT_MOST_ONCE : MqttQos.AT_LEAST_ONCE;
        PacedLoad.run(
                clients.size(),
                rate,
                points,
                warmup,
                duration,
                qos == 0 ? "QoS 0: sent" : "PUBACK after commit",
                (index, payload) -> clients.get(index)
                        .publishWith()
                        .topic("v1/devices/me/telemetry")
                        .qos(level)
                        .payload(payload)
                        .send()
                        .thenApply(result -> result.getError().isPresent() ? "error reason code" : null));
        for (Mqtt5AsyncClient client : clients) {
            client.disconnect();
        }
    }

    static long rssKiB(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("VmRSS"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .findFirst()
                    .orElse(-1);
        } catch (Exception e) {
            return -1;
        }
    }

    /** Heap in use, from the platform's Prometheus endpoint on its management port. */
    static long heapUsed(String managementUrl) {
        try {
            String metrics = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(managementUrl + "/actuator/prometheus"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            return (long) metrics.lines()
                    .filter(l -> l.startsWith("jvm_memory_used_bytes{area=\"heap\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .sum();
        } catch (Exception e) {
            return -1;
        }
    }
}
