package io.insa.iiot.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the tests that take the database away under the ingest path: the platform reaches
 * PostgreSQL through a {@link FaultProxy}, and {@link #sendThroughAnOutage} runs devices of any
 * protocol through a cut and checks what a device may rely on.
 */
public abstract class OutageTest extends IntegrationTest {

    protected static final FaultProxy DATABASE = proxy();

    @DynamicPropertySource
    static void throughTheProxy(DynamicPropertyRegistry registry) {
        // the runtime connections only (migrations go straight to the database)
        registry.add("spring.datasource.url", () -> TestDatabase.get().urlThroughPort(DATABASE.port()));
        registry.add("spring.datasource.hikari.connection-timeout", () -> "2000");
    }

    @Autowired
    DataSource pool;

    /** The database back, and the pool's connections broken by the cut replaced, for the next test. */
    @AfterEach
    void databaseBack() throws SQLException {
        DATABASE.restore();
        pool.unwrap(HikariDataSource.class).getHikariPoolMXBean().softEvictConnections();
    }

    /** What a device was told about one message. */
    protected enum Outcome {
        STORED,
        RETRY,
        OTHER
    }

    /** A device sending {"seq": n} with timestamps start + n, recording what it was told. */
    protected abstract static class Sender implements Runnable {
        public final Fixture.DeviceHandle device;
        final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        final List<String> other = new CopyOnWriteArrayList<>();
        volatile int retried;
        volatile boolean running = true;

        protected Sender(Fixture.DeviceHandle device) {
            this.device = device;
        }

        /** Sends one message and says what the platform answered. */
        protected abstract Outcome send(String payload);

        @Override
        public void run() {
            long start = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
            for (long seq = 0; running; seq++) {
                String payload = "{\"ts\": " + (start + seq) + ", \"values\": {\"seq\": " + seq + "}}";
                switch (send(payload)) {
                    case STORED -> acknowledged.add(start + seq);
                    case RETRY -> retried++;
                    case OTHER -> other.add(Long.toString(seq));
                }
                pause(Duration.ofMillis(20));
            }
        }
    }

    /** A device on the HTTP device API (of this node, or of another): 200 is stored, 503 retry. */
    protected final class HttpSender extends Sender {

        private final Api node;

        public HttpSender(Fixture.DeviceHandle device) {
            this(device, api);
        }

        public HttpSender(Fixture.DeviceHandle device, Api node) {
            super(device);
            this.node = node;
        }

        @Override
        protected Outcome send(String payload) {
            return switch (node.post("/api/v1/" + device.token() + "/telemetry", payload)
                    .send()
                    .status()) {
                case 200 -> Outcome.STORED;
                case 503 -> Outcome.RETRY;
                default -> Outcome.OTHER;
            };
        }
    }

    /**
     * The devices send while the database is cut away for 20 seconds and given back: every message is
     * answered (stored, or retry), ingestion resumes by itself, and every acknowledged message is stored.
     */
    protected void sendThroughAnOutage(Fixture.Member operator, List<? extends Sender> senders)
            throws InterruptedException {
        List<Thread> threads =
                senders.stream().map(sender -> Thread.ofVirtual().start(sender)).toList();
        pause(Duration.ofSeconds(2));
        DATABASE.cut();
        pause(Duration.ofSeconds(20));
        DATABASE.restore();
        Instant resumedBy = Instant.now().plus(Duration.ofSeconds(30));
        for (Sender sender : senders) {
            int before = sender.acknowledged.size();
            while (sender.acknowledged.size() <= before + 3 && Instant.now().isBefore(resumedBy)) {
                pause(Duration.ofMillis(100));
            }
        }
        senders.forEach(sender -> sender.running = false);
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(30));
        }
        // a 20 s cut outlasts the answer timeout: what was held is answered retry; a device whose
        // message was not yet read when reads paused waits instead, and sees no retry
        assertThat(senders.stream().mapToInt(sender -> sender.retried).sum())
                .as("the outage was seen")
                .isPositive();
        for (Sender sender : senders) {
            assertThat(sender.other).as("answers other than stored or retry").isEmpty();
            assertThat(sender.acknowledged.size())
                    .as("ingestion resumed without a restart")
                    .isGreaterThan(3);
            assertThat(storedSequence(operator, sender.device.id()))
                    .as("every acknowledged message is stored")
                    .containsAll(sender.acknowledged);
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

    protected static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static FaultProxy proxy() {
        try {
            return new FaultProxy(TestDatabase.get().port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
