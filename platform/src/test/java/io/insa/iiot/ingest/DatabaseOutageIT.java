package io.insa.iiot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.FaultProxy;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The database goes away under the ingest path: every device still gets an answer (stored, or retry
 * later with the quota given back), nothing hangs, and ingestion resumes by itself when it returns.
 */
@Timeout(90)
class DatabaseOutageIT extends IntegrationTest {

    private static final FaultProxy DATABASE = proxy();

    @DynamicPropertySource
    static void throughTheProxy(DynamicPropertyRegistry registry) {
        // the runtime connections only (migrations go straight to the database)
        registry.add("spring.datasource.url", () -> TestDatabase.get().urlThroughPort(DATABASE.port()));
        registry.add("spring.datasource.hikari.connection-timeout", () -> "2000");
        registry.add("insa.ingest.answer-timeout", () -> "5s");
    }

    @Autowired
    DataSource pool;

    /** The database back, and the pool's connections broken by the cut replaced, for the next test. */
    @AfterEach
    void databaseBack() throws SQLException {
        DATABASE.restore();
        pool.unwrap(HikariDataSource.class).getHikariPoolMXBean().softEvictConnections();
    }

    @Test
    void aBatchWhosePartitionCannotBeCreatedIsAnsweredWithRetryAndStoredOnceTheDatabaseIsBack() {
        Fixture.Member operator = fixture.member(fixture.tenant("Outage partition"), "operator");
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("outage"));
        assertThat(fixture.telemetry(device.token(), Map.of("temp", 1)).status())
                .isEqualTo(200);
        // a day that has no partition yet: the writer must run DDL for it
        long old = Instant.now().minus(20, ChronoUnit.DAYS).toEpochMilli();
        Map<String, Object> late = Map.of("ts", old, "values", Map.of("temp", 2));

        DATABASE.cut();
        Api.Response during = fixture.telemetry(device.token(), late);

        assertThat(during.status()).as(during.toString()).isEqualTo(503);
        assertThat(during.header("Retry-After")).isNotNull();
        DATABASE.restore();
        Api.Response after = awaitStored(device.token(), late);
        assertThat(after.status()).as(after.toString()).isEqualTo(200);
        assertThat(points(operator, device.id(), old)).isEqualTo(1);
    }

    @Test
    void aDeviceNotYetAuthenticatedIsToldToRetryDuringAnOutage() {
        Fixture.Member operator = fixture.member(fixture.tenant("Outage auth"), "operator");
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("cold"));

        DATABASE.cut();
        Api.Response during = fixture.telemetry(device.token(), Map.of("temp", 1));

        assertThat(during.status()).as(during.toString()).isEqualTo(503);
        assertThat(during.header("Retry-After")).isNotNull();
        DATABASE.restore();
        assertThat(awaitStored(device.token(), Map.of("temp", 1)).status()).isEqualTo(200);
    }

    @Test
    void aMessageRefusedForAnOutageGivesItsQuotaBack() {
        UUID tenant = fixture.tenant("Outage quota", Map.of("max_telemetry_points_per_day", 3));
        Fixture.Member operator = fixture.member(tenant, "operator");
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("quota"));
        assertThat(fixture.telemetry(device.token(), Map.of("warm", 1)).status())
                .as("the device is known to the platform before the outage")
                .isEqualTo(200);
        // keys never seen before: admitting them needs the database
        Map<String, Object> twoPoints = Map.of("fresh_a", 1, "fresh_b", 2);

        DATABASE.cut();
        Api.Response during = fixture.telemetry(device.token(), twoPoints);

        assertThat(during.status()).as(during.toString()).isEqualTo(503);
        assertThat(during.header("Content-Type")).startsWith("application/problem+json");
        DATABASE.restore();
        Api.Response after = awaitStored(device.token(), twoPoints);
        assertThat(after.status())
                .as("the refused message's 2 points were given back (1 + 2 of a daily 3): " + after)
                .isEqualTo(200);
    }

    @Test
    void aDatabaseThatHangsIsAnsweredWithRetryWithinTheAnswerTimeout() {
        Fixture.Member operator = fixture.member(fixture.tenant("Outage hang"), "operator");
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("hang"));
        assertThat(fixture.telemetry(device.token(), Map.of("temp", 1)).status())
                .isEqualTo(200);

        DATABASE.hold();
        Api.Response during = fixture.telemetry(device.token(), Map.of("temp", 2));

        assertThat(during.status()).as(during.toString()).isEqualTo(503);
        assertThat(during.json().get("detail").asString()).contains("not stored within 5 s");
        DATABASE.restore();
        assertThat(awaitStored(device.token(), Map.of("temp", 3)).status()).isEqualTo(200);
    }

    /**
     * HTTP devices keep sending while the database is cut away and given back: every message gets an
     * answer, ingestion resumes by itself, and every acknowledged message is stored.
     */
    @Test
    @Timeout(120)
    void underLoadEveryMessageIsAnsweredAndEveryAcknowledgedOneIsStored() throws Exception {
        Fixture.Member operator = fixture.member(fixture.tenant("Outage load"), "operator");
        List<Sender> senders = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            senders.add(new Sender(fixture.device(operator.accessToken(), Fixture.unique("http"))));
        }
        List<Thread> threads =
                senders.stream().map(sender -> Thread.ofVirtual().start(sender)).toList();

        sleep(Duration.ofSeconds(2));
        DATABASE.cut();
        sleep(Duration.ofSeconds(6));
        DATABASE.restore();
        Instant resumedBy = Instant.now().plus(Duration.ofSeconds(30));
        for (Sender sender : senders) {
            int before = sender.acknowledged.size();
            while (sender.acknowledged.size() <= before + 3 && Instant.now().isBefore(resumedBy)) {
                sleep(Duration.ofMillis(100));
            }
        }
        senders.forEach(sender -> sender.running = false);
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(30));
        }

        for (Sender sender : senders) {
            assertThat(sender.refused)
                    .as("answers other than stored or retry: " + sender.refused)
                    .isEmpty();
            assertThat(sender.retried).as("the outage was seen").isPositive();
            assertThat(sender.acknowledged.size())
                    .as("ingestion resumed without a restart")
                    .isGreaterThan(3);
            assertThat(storedSequence(operator, sender.device.id()))
                    .as("every acknowledged message is stored")
                    .containsAll(sender.acknowledged);
        }
    }

    /** A device sending {"seq": n} with timestamps start + n, recording what was acknowledged. */
    private final class Sender implements Runnable {
        final Fixture.DeviceHandle device;
        final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        final List<String> refused = new CopyOnWriteArrayList<>();
        volatile int retried;
        volatile boolean running = true;

        Sender(Fixture.DeviceHandle device) {
            this.device = device;
        }

        @Override
        public void run() {
            long start = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
            for (long seq = 0; running; seq++) {
                String payload = "{\"ts\": " + (start + seq) + ", \"values\": {\"seq\": " + seq + "}}";
                int status = fixture.telemetry(device.token(), payload).status();
                switch (status) {
                    case 200 -> acknowledged.add(start + seq);
                    case 503 -> retried++;
                    default -> refused.add(seq + ": " + status);
                }
                sleep(Duration.ofMillis(20));
            }
        }
    }

    /** The timestamps of the device's stored {"seq"} values (the last day: the default range). */
    private Set<Long> storedSequence(Fixture.Member operator, UUID device) {
        Api.Response series = api.get("/api/v1/devices/" + device + "/telemetry?keys=seq&limit=10000")
                .bearer(operator.accessToken())
                .send();
        assertThat(series.status()).as(series.toString()).isEqualTo(200);
        return series.json()
                .at("/series/seq")
                .valueStream()
                .map(sample -> sample.get("ts").asLong())
                .collect(Collectors.toSet());
    }

    /** Retries as a device would until the platform takes the message again. */
    private Api.Response awaitStored(String token, Map<String, Object> payload) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        Api.Response response = fixture.telemetry(token, payload);
        while (response.status() == 503 && Instant.now().isBefore(deadline)) {
            sleep(Duration.ofMillis(200));
            response = fixture.telemetry(token, payload);
        }
        return response;
    }

    private long points(Fixture.Member operator, UUID device, long ts) {
        String at = Instant.ofEpochMilli(ts).toString();
        String until = Instant.ofEpochMilli(ts + 1).toString();
        return api.get("/api/v1/devices/" + device + "/telemetry?keys=temp&start=" + at + "&end=" + until)
                .bearer(operator.accessToken())
                .send()
                .json()
                .at("/series/temp")
                .size();
    }

    private static FaultProxy proxy() {
        try {
            return new FaultProxy(TestDatabase.get().port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
