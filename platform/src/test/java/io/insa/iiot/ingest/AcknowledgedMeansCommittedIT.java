package io.insa.iiot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * SPEC 11: an acknowledged message is never lost. The platform runs as a separate process (the built
 * jar); clients keep sending while it is killed with SIGKILL, so nothing is flushed on the way out.
 * Every message that got its 200 must be in the database afterwards.
 */
class AcknowledgedMeansCommittedIT extends IntegrationTest {

    @Test
    void everyAcknowledgedMessageSurvivesAKill9() throws Exception {
        UUID tenant = fixture.tenant("Kill", Map.of("max_messages_per_second", 1_000_000));
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), "survivor");

        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path jar = Path.of("target", "platform.jar");
        assertThat(jar).exists();
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                jar.toString(),
                "--server.port=" + port,
                "--insa.ingest.device-messages-per-second=1000000"));
        platformProperties().forEach((key, value) -> command.add("--" + key + "=" + value));
        Path log = Files.createTempFile("platform-kill", ".log");
        Process platform = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            awaitHealthy(port, platform, log);

            HttpClient http = HttpClient.newHttpClient();
            long base = (System.currentTimeMillis() / 1000 - 1800) * 1000;
            AtomicLong sequence = new AtomicLong();
            Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                senders.add(Thread.ofPlatform().start(() -> {
                    while (platform.isAlive()) {
                        long n = sequence.getAndIncrement();
                        HttpRequest request = HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + port + "/api/v1/" + device.token() + "/telemetry"))
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"ts\":" + (base + n) + ",\"values\":{\"seq\":" + n + "}}"))
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(10))
                                .build();
                        try {
                            if (http.send(request, HttpResponse.BodyHandlers.discarding())
                                            .statusCode()
                                    == 200) {
                                acknowledged.add(n);
                            }
                        } catch (IOException | InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
            while (acknowledged.size() < 1000) {
                Thread.sleep(10);
            }
            platform.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            platform.waitFor();
            for (Thread sender : senders) {
                sender.join();
            }

            Set<Long> stored = storedSequence(device.id());
            assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(1000);
            assertThat(stored).as("acknowledged but not stored").containsAll(acknowledged);
        } finally {
            platform.destroyForcibly();
        }
    }

    private static void awaitHealthy(int port, Process platform, Path log) throws Exception {
        Api api = new Api(port);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(platform.isAlive())
                    .as(() -> "platform exited: " + tail(log))
                    .isTrue();
            try {
                if (api.get("/api/v1/health").send().status() == 200) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("platform not healthy in time: " + tail(log));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static Set<Long> storedSequence(UUID device) throws Exception {
        Set<Long> out = new HashSet<>();
        try (Connection c = TestDatabase.get().connectAsOwner();
                PreparedStatement s = c.prepareStatement("SELECT long_v FROM telemetry WHERE device_id = ?")) {
            s.setObject(1, device);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }
}
