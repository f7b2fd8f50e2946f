package io.insa.iiot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.PlatformProcess;
import io.insa.iiot.support.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
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

        try (PlatformProcess platform =
                PlatformProcess.start(Map.of("insa.ingest.device-messages-per-second", "1000000"))) {
            int port = platform.port();
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
            platform.kill(); // SIGKILL: no shutdown hook, no flush
            for (Thread sender : senders) {
                sender.join();
            }

            Set<Long> stored = Set.copyOf(TestDatabase.get().storedLongs(device.id()));
            assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(1000);
            assertThat(stored).as("acknowledged but not stored").containsAll(acknowledged);
        }
    }
}
