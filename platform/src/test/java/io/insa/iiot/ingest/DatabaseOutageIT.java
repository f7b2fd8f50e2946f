package io.insa.iiot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.OutageTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The database goes away under the ingest path: every device still gets an answer (stored, or retry
 * later with the quota given back), nothing hangs, and ingestion resumes by itself when it returns.
 */
@Timeout(90)
class DatabaseOutageIT extends OutageTest {

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

    /** An attribute request (ThingsBoard's HTTP device API) the database cannot answer is a try-later. */
    @Test
    void anAttributeRequestDuringAnOutageIsToldToRetry() {
        Fixture.Member operator = fixture.member(fixture.tenant("Outage attributes"), "operator");
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("asks"));
        String path = "/api/v1/" + device.token() + "/attributes?clientKeys=fw";
        assertThat(api.get(path).send().status()).as("before the outage").isEqualTo(200);

        DATABASE.cut();
        Api.Response during = api.get(path).send();
        DATABASE.restore();

        assertThat(during.status()).as(during.toString()).isEqualTo(503);
        assertThat(during.header("Retry-After")).isNotNull();
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
        long asked = System.nanoTime();
        Api.Response during = fixture.telemetry(device.token(), Map.of("temp", 2));
        long waitedMillis = (System.nanoTime() - asked) / 1_000_000;

        assertThat(during.status()).as(during.toString()).isEqualTo(503);
        // the answer timeout (15 s, the default): never a hang
        assertThat(during.json().get("detail").asString()).contains("not stored within 15 s");
        assertThat(waitedMillis).as("answered within the answer timeout").isLessThan(17_000);
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
            senders.add(new HttpSender(fixture.device(operator.accessToken(), Fixture.unique("http"))));
        }

        sendThroughAnOutage(operator, senders);
    }

    /** Retries as a device would until the platform takes the message again. */
    private Api.Response awaitStored(String token, Map<String, Object> payload) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        Api.Response response = fixture.telemetry(token, payload);
        while (response.status() == 503 && Instant.now().isBefore(deadline)) {
            pause(Duration.ofMillis(200));
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
}
