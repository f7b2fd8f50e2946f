package io.insa.iiot.loadgen;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * MQTT ingest load: N devices provisioned through the API, each holding its own MQTT 5 (or, with
 * {@code --mqtt-version 3}, MQTT 3.1.1) connection (HiveMQ client, username = access token, no
 * automatic reconnect), publishing telemetry at a target total rate with QoS 0 or 1. Reports connect
 * time, acknowledged points/s, publish-to-PUBACK latency, the server's memory per idle connection
 * when its process id is known, connections closed (by the server or otherwise), the rate of
 * PUBACKs that arrived during the measured period, and how many acknowledged messages are stored
 * (read from the database afterwards). Messages carry no timestamp, as most devices send them, so the
 * server stamps them (strictly increasing per device: one row per message and key); with
 * {@code --device-timestamps true} each carries its own, unique per device.
 */
final class MqttLoad {

    private final Options options;

    MqttLoad(Options options) {
        this.options = options;
    }

    void run() throws Exception {
        // Actuator listens on its own port (management.server.port), loopback only
        // several nodes: --mqtt-port 1883,1983 --server-pid P1,P2 --management-url URL1,URL2; the devices
        // are spread over the ports in turn, as a load balancer would
        List<String> managementUrls = list(options.get("management-url", "http://127.0.0.1:8081"));
        String managementUrl = managementUrls.getFirst();
        String host = options.get("mqtt-host", "127.0.0.1");
        List<Integer> ports = list(options.get("mqtt-port", "1883")).stream()
                .map(Integer::parseInt)
                .toList();
        int rate = options.integer("rate", 5_000);
        int points = options.integer("points", 3);
        int qos = options.integer("qos", 1);
        int version = options.integer("mqtt-version", 5);
        boolean deviceTimestamps = Boolean.parseBoolean(options.get("device-timestamps", "false"));
        Duration duration = Duration.ofSeconds(options.integer("duration", 60));
        Duration warmup = Duration.ofSeconds(options.integer("warmup", 20));
        List<Long> serverPids = list(options.get("server-pid", "")).stream()
                .map(Long::parseLong)
                .toList();
        // memory per connection only where one server holds them all
        Optional<Long> serverPid = serverPids.size() == 1 ? Optional.of(serverPids.getFirst()) : Optional.empty();
        int soakMinutes = options.integer("soak-minutes", 0);

        String slug = "mqtt-" + Long.toString(System.currentTimeMillis(), 36);
        List<String> tokens = PlatformClient.provisionedDevicesIn(options, slug);
        System.out.printf(
                "method:  MQTT %s (HiveMQ client), one connection per device, QoS %d, %d points a message, target %d msg/s"
                        + " spread over all connections, warm-up %d s, measured %d s%n",
                version == 3 ? "3.1.1" : "5", qos, points, rate, warmup.toSeconds(), duration.toSeconds());

        long rssBefore = serverPid.map(MqttLoad::rssKiB).orElse(-1L);
        long heapBefore = heapUsed(managementUrl);
        Recorder connectLatency = new Recorder(3);
        List<Client> clients = new ArrayList<>(tokens.size());
        Map<String, AtomicLong> closed = new ConcurrentHashMap<>();
        long connectStart = System.nanoTime();
        List<CompletableFuture<?>> connecting = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            MqttClientBuilder builder = MqttClient.builder()
                    .identifier("load-" + i)
                    .serverHost(host)
                    .serverPort(ports.get(i % ports.size()))
                    .addDisconnectedListener(context -> closed.computeIfAbsent(
                                    context.getSource() + " "
                                            + context.getCause().getClass().getSimpleName(),
                                    k -> new AtomicLong())
                            .incrementAndGet());
            Client client = version == 3
                    ? new V3(builder.useMqttVersion3().buildAsync())
                    : new V5(builder.useMqttVersion5().buildAsync());
            clients.add(client);
            long started = System.nanoTime();
            connecting.add(client.connect(tokens.get(i))
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
        // every PUBACK, whenever its PUBLISH was sent: the acknowledged rate and the stored check use it
        AtomicLong acknowledged = new AtomicLong();
        long[] lastTs = new long[clients.size()];
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
        long[] atMeasureStart = new long[1];
        long[] atMeasureEnd = new long[1];
        progress.schedule(() -> atMeasureStart[0] = acknowledged.get(), warmup.toMillis(), TimeUnit.MILLISECONDS);
        progress.schedule(
                () -> atMeasureEnd[0] = acknowledged.get(),
                warmup.plus(duration).toMillis(),
                TimeUnit.MILLISECONDS); // of the first stage
        long[] last = new long[1];
        progress.scheduleAtFixedRate(
                () -> {
                    long now = acknowledged.get();
                    System.out.printf("progress: %d PUBACKs/s, closed so far %s%n", (now - last[0]) / 10, closed);
                    last[0] = now;
                },
                10,
                10,
                TimeUnit.SECONDS);
        PacedLoad.Sender publishing = (index, payload) -> clients.get(index)
                .publish(level, deviceTimestamps ? stamped(lastTs, index, payload) : payload)
                .thenApply(error -> {
                    if (error == null) {
                        acknowledged.incrementAndGet();
                    }
                    return error;
                });
        // --stages 2000,5000,...: the same connections at each rate in turn, each with its warm-up
        List<Integer> stages = options.get("stages", null) == null
                ? List.of(rate)
                : java.util.Arrays.stream(options.get("stages", "").split(","))
                        .map(String::trim)
                        .map(Integer::parseInt)
                        .toList();
        if (soakMinutes > 0) {
            progress.shutdownNow(); // the soak reports each minute
            List<ServerProbe> probes = new ArrayList<>();
            List<String> gcLogs = list(options.get("gc-logs", ""));
            for (int n = 0; n < serverPids.size(); n++) {
                probes.add(new ServerProbe(
                        "node" + (n + 1),
                        serverPids.get(n),
                        managementUrls.get(Math.min(n, managementUrls.size() - 1)),
                        n < gcLogs.size() ? Optional.of(Path.of(gcLogs.get(n))) : Optional.empty()));
            }
            System.out.printf(
                    "soak:    %d msg/s for %d min; each minute: messages sent and acknowledged in it, PUBACK p99 and max,"
                            + " errors, then per node RSS, heap after GC (lowest in the minute), ingest queue depth%n",
                    rate, soakMinutes);
            PacedLoad.soak(
                    clients.size(),
                    rate,
                    points,
                    Duration.ofMinutes(soakMinutes),
                    Duration.ofMinutes(1),
                    publishing,
                    () -> String.join(
                                    "; ",
                                    probes.stream().map(ServerProbe::sample).toList())
                            + "; connections closed so far "
                            + closed.values().stream()
                                    .mapToLong(AtomicLong::get)
                                    .sum());
        }
        for (int stage : soakMinutes > 0 ? List.<Integer>of() : stages) {
            if (stages.size() > 1) {
                System.out.printf("stage:   %d msg/s (%d points/s offered)%n", stage, stage * points);
            }
            PacedLoad.run(
                    clients.size(),
                    stage,
                    points,
                    warmup,
                    duration,
                    qos == 0 ? "QoS 0: sent" : "PUBACK after commit",
                    publishing);
        }
        progress.shutdownNow();
        long acknowledgedTotal = acknowledged.get();
        if (stages.size() == 1 && soakMinutes == 0) {
            System.out.printf(
                    "acked:   %.0f PUBACKs/s arrived during the measured %d s (whenever sent)%n",
                    (atMeasureEnd[0] - atMeasureStart[0]) / (double) duration.toSeconds(), duration.toSeconds());
        }
        System.out.printf("acked:   %d acknowledged in all%n", acknowledgedTotal);
        System.out.println("closed:  " + (closed.isEmpty() ? "no connection closed" : closed));
        Thread.sleep(1000); // a commit whose PUBACK is out is in the database; this is only for the count below
        long stored = storedMessages(options, slug);
        System.out.printf(
                "stored:  %d messages stored (rows of 'temperature') for %d acknowledged: %s%n",
                stored,
                acknowledgedTotal,
                stored >= acknowledgedTotal ? "every acknowledged message is stored" : "LOST");
        if (serverPid.isPresent()) {
            System.out.printf(
                    "memory:  server RSS %d MiB after the run, heap used %d MiB%n",
                    rssKiB(serverPid.get()) / 1024, heapUsed(managementUrl) >> 20);
        }
        for (Client client : clients) {
            client.disconnect();
        }
    }

    /**
     * The message with a timestamp of its own, one millisecond after the device's previous one at
     * least, so that each message is one row per key. Called from the one pacing thread.
     */
    private static byte[] stamped(long[] lastTs, int index, byte[] values) {
        long ts = Math.max(System.currentTimeMillis(), lastTs[index] + 1);
        lastTs[index] = ts;
        return ("{\"ts\":" + ts + ",\"values\":" + new String(values, StandardCharsets.UTF_8) + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Messages of the run's tenant in the database: one 'temperature' row each. */
    private static long storedMessages(Options options, String slug) {
        try (Connection c =
                DriverManager.getConnection(options.dbUrl(), options.ownerUser(), options.ownerPassword())) {
            c.setAutoCommit(false);
            UUID tenant;
            try (PreparedStatement find = c.prepareStatement("SELECT id FROM tenants WHERE slug = ?")) {
                find.setString(1, slug);
                ResultSet rs = find.executeQuery();
                rs.next();
                tenant = rs.getObject(1, UUID.class);
            }
            try (PreparedStatement set = c.prepareStatement("SELECT set_config('app.tenant_id', ?, true)")) {
                set.setString(1, tenant.toString());
                set.execute();
            }
            try (PreparedStatement count = c.prepareStatement(
                    "SELECT count(*) FROM telemetry t JOIN telemetry_keys k ON k.tenant_id = t.tenant_id AND k.id = t.key_id"
                            + " WHERE t.tenant_id = ? AND k.key = 'temperature'")) {
                count.setObject(1, tenant);
                ResultSet rs = count.executeQuery();
                rs.next();
                return rs.getLong(1);
            } finally {
                c.rollback();
            }
        } catch (Exception e) {
            System.out.println("stored:  cannot count (" + e + ")");
            return -1;
        }
    }

    /** One device's connection, MQTT 5 or 3.1.1. */
    private interface Client {
        CompletableFuture<?> connect(String token);

        /** Completes with null on a PUBACK, or an error name. */
        CompletableFuture<String> publish(MqttQos qos, byte[] payload);

        void disconnect();
    }

    private record V5(Mqtt5AsyncClient client) implements Client {
        @Override
        public CompletableFuture<?> connect(String token) {
            return client.connectWith()
                    .keepAlive(120)
                    .simpleAuth()
                    .username(token)
                    .applySimpleAuth()
                    .send();
        }

        @Override
        public CompletableFuture<String> publish(MqttQos qos, byte[] payload) {
            return client.publishWith()
                    .topic("v1/devices/me/telemetry")
                    .qos(qos)
                    .payload(payload)
                    .send()
                    .thenApply(result -> result.getError().isPresent() ? "error reason code" : null);
        }

        @Override
        public void disconnect() {
            client.disconnect();
        }
    }

    private record V3(Mqtt3AsyncClient client) implements Client {
        @Override
        public CompletableFuture<?> connect(String token) {
            return client.connectWith()
                    .keepAlive(120)
                    .simpleAuth()
                    .username(token)
                    .applySimpleAuth()
                    .send();
        }

        @Override
        public CompletableFuture<String> publish(MqttQos qos, byte[] payload) {
            return client.publishWith()
                    .topic("v1/devices/me/telemetry")
                    .qos(qos)
                    .payload(payload)
                    .send()
                    .thenApply(published -> null);
        }

        @Override
        public void disconnect() {
            client.disconnect();
        }
    }

    /** "a,b" as [a, b]; "" as []. */
    private static List<String> list(String commaSeparated) {
        return java.util.Arrays.stream(commaSeparated.split(","))
                .map(String::trim)
                .filter(v -> !v.isEmpty())
                .toList();
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
