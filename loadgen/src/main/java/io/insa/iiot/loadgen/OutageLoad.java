package io.insa.iiot.loadgen;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The database taken away under device load, seen from outside: HTTP devices and MQTT 3.1.1 devices
 * (HiveMQ client, QoS 1) send numbered messages at a steady rate while {@code --stop-command} stops or
 * kills PostgreSQL and, after the outage, {@code --start-command} starts it again. Reports per
 * protocol what the devices were told (stored, try later, or nothing within {@code --answer-bound}),
 * connections closed, when ingestion resumed, the platform's heap, and whether every acknowledged
 * message is in the database afterwards.
 */
final class OutageLoad {

    private final Options options;
    private final Map<String, AtomicLong> serverHeapMiB = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile long restoredAt;

    OutageLoad(Options options) {
        this.options = options;
    }

    void run() throws Exception {
        int httpDevices = options.integer("http-devices", 50);
        int mqttDevices = options.integer("mqtt-devices", 50);
        double rate = Double.parseDouble(options.get("rate", "5"));
        Duration before = Duration.ofSeconds(options.integer("before", 10));
        Duration outage = Duration.ofSeconds(options.integer("outage", 20));
        Duration after = Duration.ofSeconds(options.integer("after", 30));
        Duration answerBound = Duration.ofSeconds(options.integer("answer-bound", 20));
        String stop = options.get("stop-command", "su postgres -c 'pg_ctlcluster 15 main stop -m fast'");
        String start = options.get("start-command", "su postgres -c 'pg_ctlcluster 15 main start'");
        String managementUrl = options.get("management-url", "http://127.0.0.1:8081");

        String slug = "outage-" + Long.toString(System.currentTimeMillis(), 36);
        List<String> tokens = PlatformClient.provisionedDevicesIn(options, slug, httpDevices + mqttDevices);
        System.out.printf(
                "method:  %d HTTP devices and %d MQTT 3.1.1 devices (HiveMQ client, QoS 1, reconnecting after"
                        + " 1 s when closed), %.1f msg/s each; database taken away after %d s with `%s`, back after"
                        + " %d s more with `%s`, load for %d s more; an answer later than %d s counts as none%n",
                httpDevices,
                mqttDevices,
                rate,
                before.toSeconds(),
                stop,
                outage.toSeconds(),
                start,
                after.toSeconds(),
                answerBound.toSeconds());

        long interval = (long) (1e9 / rate);
        long firstTs = System.currentTimeMillis() - Duration.ofMinutes(10).toMillis();
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            devices.add(
                    i < httpDevices
                            ? new HttpDevice("load-" + i, tokens.get(i), firstTs, answerBound)
                            : new MqttDevice("load-" + i, tokens.get(i), firstTs));
        }
        List<Thread> threads = new ArrayList<>();
        for (Device device : devices) {
            threads.add(Thread.ofVirtual().start(() -> device.sendEvery(interval)));
        }
        long heapBefore = MqttLoad.heapUsed(managementUrl);
        Thread heap = Thread.ofVirtual().start(() -> sampleHeap(managementUrl));

        Thread.sleep(before);
        long stoppedAt = System.nanoTime();
        System.out.printf("outage:  `%s` exited %d%n", stop, shell(stop));
        Thread.sleep(outage.minusNanos(System.nanoTime() - stoppedAt));
        System.out.printf("restore: `%s` exited %d%n", start, shell(start));
        restoredAt = System.nanoTime();
        Thread.sleep(after);
        running = false;
        for (Thread thread : threads) {
            thread.join();
        }
        for (Device device : devices) {
            device.awaitAnswers(answerBound);
        }
        heap.interrupt();

        Map<String, Set<Long>> stored = storedSequence(slug);
        report("HTTP", devices.subList(0, httpDevices), stored);
        report("MQTT", devices.subList(httpDevices, devices.size()), stored);
        System.out.printf(
                "memory:  platform heap used %d MiB before, at most %d MiB during the run, %d MiB after%n",
                heapBefore >> 20,
                serverHeapMiB.getOrDefault("max", new AtomicLong(-1)).get(),
                MqttLoad.heapUsed(managementUrl) >> 20);
        devices.forEach(Device::close);
    }

    private void report(String protocol, List<Device> devices, Map<String, Set<Long>> stored) {
        long sent = 0, acknowledged = 0, retry = 0, unanswered = 0, lost = 0, slowestMs = 0, resumedMs = -1;
        Map<String, Long> other = new HashMap<>();
        for (Device device : devices) {
            sent += device.sent.get();
            acknowledged += device.acknowledged.size();
            retry += device.retry.get();
            unanswered += device.unanswered.get();
            slowestMs = Math.max(slowestMs, device.slowestAnswerNanos.get() / 1_000_000);
            device.other.forEach((k, v) -> other.merge(k, v.get(), Long::sum));
            Set<Long> missing = new HashSet<>(device.acknowledged);
            missing.removeAll(stored.getOrDefault(device.name, Set.of()));
            lost += missing.size();
            long firstAfter = device.firstAcknowledgedAfterRestore.get();
            if (firstAfter > 0) {
                long ms = (firstAfter - restoredAt) / 1_000_000;
                resumedMs = Math.max(resumedMs, ms);
            }
        }
        System.out.printf(
                "%-5s    %d sent: %d acknowledged, %d told to retry, %d without an answer, other %s;"
                        + " slowest answer %d ms; every device acknowledged again within %s of the restore;"
                        + " %s%n",
                protocol + ":",
                sent,
                acknowledged,
                retry,
                unanswered,
                other,
                slowestMs,
                resumedMs < 0 ? "NEVER" : resumedMs + " ms",
                lost == 0 ? "every acknowledged message is stored" : lost + " acknowledged messages LOST");
        if (protocol.equals("MQTT")) {
            Map<String, Long> closed = new HashMap<>();
            devices.forEach(d -> ((MqttDevice) d).closed.forEach((k, v) -> closed.merge(k, v.get(), Long::sum)));
            System.out.println("closed:  " + (closed.isEmpty() ? "no MQTT connection closed" : closed));
        }
    }

    private void sampleHeap(String managementUrl) {
        AtomicLong max = serverHeapMiB.computeIfAbsent("max", k -> new AtomicLong());
        while (!Thread.currentThread().isInterrupted()) {
            long used = MqttLoad.heapUsed(managementUrl);
            max.accumulateAndGet(used >> 20, Math::max);
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static int shell(String command) throws Exception {
        return new ProcessBuilder("sh", "-c", command).inheritIO().start().waitFor();
    }

    /** The stored {@code seq} timestamps of the run's tenant, by device name. */
    private Map<String, Set<Long>> storedSequence(String slug) throws Exception {
        Map<String, Set<Long>> stored = new HashMap<>();
        try (Connection c =
                DriverManager.getConnection(options.dbUrl(), options.ownerUser(), options.ownerPassword())) {
            c.setAutoCommit(false);
            try (PreparedStatement tenant = c.prepareStatement(
                    "SELECT set_config('app.tenant_id', id::text, true) FROM tenants WHERE slug = ?")) {
                tenant.setString(1, slug);
                tenant.executeQuery().next();
            }
            try (PreparedStatement query =
                    c.prepareStatement("SELECT d.name, (extract(epoch FROM t.ts) * 1000)::bigint FROM telemetry t"
                            + " JOIN devices d ON d.id = t.device_id"
                            + " JOIN telemetry_keys k ON k.tenant_id = t.tenant_id AND k.id = t.key_id"
                            + " WHERE k.key = 'seq'")) {
                ResultSet rs = query.executeQuery();
                while (rs.next()) {
                    stored.computeIfAbsent(rs.getString(1), k -> new HashSet<>())
                            .add(rs.getLong(2));
                }
            } finally {
                c.rollback();
            }
        }
        return stored;
    }

    /** A device sending {"seq": n} stamped firstTs + n, recording what it was told about each. */
    private abstract class Device {
        final String name;
        final String token;
        final long firstTs;
        final AtomicLong sent = new AtomicLong();
        final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        final AtomicLong retry = new AtomicLong();
        final AtomicLong unanswered = new AtomicLong();
        final AtomicLong slowestAnswerNanos = new AtomicLong();
        final AtomicLong firstAcknowledgedAfterRestore = new AtomicLong();
        final Map<String, AtomicLong> other = new ConcurrentHashMap<>();

        Device(String name, String token, long firstTs) {
            this.name = name;
            this.token = token;
            this.firstTs = firstTs;
        }

        void sendEvery(long intervalNanos) {
            long next = System.nanoTime();
            for (long seq = 0; running; seq++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                next += intervalNanos;
                long ts = firstTs + seq;
                byte[] body = ("{\"ts\":" + ts + ",\"values\":{\"seq\":" + seq + "}}").getBytes(StandardCharsets.UTF_8);
                send(ts, body);
            }
        }

        abstract void send(long ts, byte[] body);

        void awaitAnswers(Duration bound) {}

        void close() {}

        void answered(long sentNanos) {
            slowestAnswerNanos.accumulateAndGet(System.nanoTime() - sentNanos, Math::max);
        }

        void acknowledged(long ts, long sentNanos) {
            answered(sentNanos);
            acknowledged.add(ts);
            if (restoredAt != 0 && sentNanos > restoredAt) {
                firstAcknowledgedAfterRestore.compareAndSet(0, System.nanoTime());
            }
        }

        void other(String what) {
            other.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
        }
    }

    /** POST /api/v1/{token}/telemetry, one request at a time: 200 stored, 503 retry. */
    private final class HttpDevice extends Device {
        private final HttpClient http = HttpClient.newBuilder().build();
        private final Duration answerBound;

        HttpDevice(String name, String token, long firstTs, Duration answerBound) {
            super(name, token, firstTs);
            this.answerBound = answerBound;
        }

        @Override
        void send(long ts, byte[] body) {
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create(options.get("url", "http://127.0.0.1:8080") + "/api/v1/" + token + "/telemetry"))
                    .timeout(answerBound)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            long sentNanos = System.nanoTime();
            sent.incrementAndGet();
            try {
                int status = http.send(request, HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                switch (status) {
                    case 200 -> acknowledged(ts, sentNanos);
                    case 503 -> {
                        answered(sentNanos);
                        retry.incrementAndGet();
                    }
                    default -> {
                        answered(sentNanos);
                        other("HTTP " + status);
                    }
                }
            } catch (java.net.http.HttpTimeoutException e) {
                unanswered.incrementAndGet();
            } catch (Exception e) {
                other(e.getClass().getSimpleName());
            }
        }
    }

    /**
     * One MQTT 3.1.1 connection: a PUBACK means stored; a connection closed before the PUBACK means
     * retry (MQTT has no negative acknowledgement); the device connects again a second later.
     */
    private final class MqttDevice extends Device {
        private final Mqtt3AsyncClient client;
        private final Map<Long, CompletableFuture<?>> pending = new ConcurrentHashMap<>();
        final Map<String, AtomicLong> closed = new ConcurrentHashMap<>();
        private volatile long reconnectAfter;

        MqttDevice(String name, String token, long firstTs) {
            super(name, token, firstTs);
            client = MqttClient.builder()
                    .identifier(name)
                    .serverHost(options.get("mqtt-host", "127.0.0.1"))
                    .serverPort(options.integer("mqtt-port", 1883))
                    .addDisconnectedListener(context -> closed.computeIfAbsent(
                                    context.getSource() + " "
                                            + context.getCause().getClass().getSimpleName(),
                                    k -> new AtomicLong())
                            .incrementAndGet())
                    .useMqttVersion3()
                    .buildAsync();
        }

        @Override
        void send(long ts, byte[] body) {
            if (!client.getState().isConnected()) {
                if (System.nanoTime() < reconnectAfter || client.getState().isConnectedOrReconnect()) {
                    return;
                }
                reconnectAfter = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                try {
                    client.connectWith()
                            .keepAlive(60)
                            .simpleAuth()
                            .username(token)
                            .applySimpleAuth()
                            .send()
                            .get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    other("connect refused: " + e.getClass().getSimpleName());
                    return;
                }
            }
            long sentNanos = System.nanoTime();
            sent.incrementAndGet();
            CompletableFuture<?> answer = client.publishWith()
                    .topic("v1/devices/me/telemetry")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(body)
                    .send()
                    .whenComplete((published, failure) -> {
                        pending.remove(ts);
                        if (failure == null) {
                            acknowledged(ts, sentNanos);
                        } else {
                            answered(sentNanos);
                            retry.incrementAndGet();
                        }
                    });
            if (!answer.isDone()) {
                pending.put(ts, answer);
            }
        }

        @Override
        void awaitAnswers(Duration bound) {
            long until = System.nanoTime() + bound.toNanos();
            while (!pending.isEmpty() && System.nanoTime() < until) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            unanswered.addAndGet(pending.size());
        }

        @Override
        void close() {
            if (client.getState().isConnected()) {
                client.disconnect();
            }
        }
    }
}
