package io.insa.iiot.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.support.Api;
import io.insa.iiot.transport.FakeIngest;
import io.insa.iiot.transport.FakeIngestTest;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What HTTP devices are told for each ingest outcome, with the outcome chosen by a fake. */
@Timeout(60)
class HttpOutcomesIT extends FakeIngestTest {

    @Test
    void aHeldCommitHoldsThe200UntilItCompletes() throws Exception {
        String token = device("http-held").token();
        ingest.mode(FakeIngest.Mode.HOLD);

        CompletableFuture<Api.Response> response = CompletableFuture.supplyAsync(() -> post(token));
        CompletableFuture<IngestResult> commit = ingest.nextHeld();
        Thread.sleep(500);
        assertThat(response).as("no 200 before the commit").isNotDone();

        commit.complete(new IngestResult.Accepted(1));
        assertThat(response.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }

    @Test
    void aMessageThatCannotBeStoredIsAnswered503WithRetryAfter() {
        ingest.mode(FakeIngest.Mode.FAIL);

        Api.Response response = post(device("http-failed").token());

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.header("Retry-After")).isEqualTo("7");
        assertThat(response.json().at("/detail").asString()).contains("retry");
        assertThat(management.get("/actuator/prometheus").send().text())
                .contains("insa_transport_messages_total{outcome=\"failed\",transport=\"http\"}");
    }

    @Test
    void whileTheIngestQueueIsHighMessagesAreAnswered503AtOnceWithoutBeingAdmitted() {
        String token = device("http-high").token();
        raisePressure();

        Api.Response busy = post(token);

        assertThat(busy.status()).isEqualTo(503);
        assertThat(busy.header("Retry-After")).isEqualTo("1");
        assertThat(ingest.calls()).isZero();
        assertThat(management.get("/actuator/prometheus").send().text())
                .contains("insa_transport_messages_total{outcome=\"busy\",transport=\"http\"}");
        lowerPressure();
        assertThat(post(token).status()).isEqualTo(200);
    }

    private Api.Response post(String token) {
        return api.post("/api/v1/" + token + "/telemetry", Map.of("t", 1)).send();
    }
}
