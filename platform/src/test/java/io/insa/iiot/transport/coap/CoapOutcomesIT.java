package io.insa.iiot.transport.coap;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.transport.FakeIngest;
import io.insa.iiot.transport.FakeIngestTest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/** What CoAP clients are told for each ingest outcome, with the outcome chosen by a fake. */
@Timeout(60)
class CoapOutcomesIT extends FakeIngestTest {

    @Autowired
    CoapTransport transport;

    @BeforeAll
    static void clientConfiguration() {
        Configuration.setStandard(Configuration.createStandardWithoutFile());
    }

    @Test
    void aHeldCommitHoldsTheResponseUntilItCompletes() throws Exception {
        CoapClient client = client(device("coap-held").token());
        ingest.mode(FakeIngest.Mode.HOLD);

        CompletableFuture<CoapResponse> response = CompletableFuture.supplyAsync(() -> post(client));
        CompletableFuture<IngestResult> commit = ingest.nextHeld();
        Thread.sleep(500);
        assertThat(response).as("no 2.04 before the commit").isNotDone();

        commit.complete(new IngestResult.Accepted(1));
        assertThat(response.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(ResponseCode.CHANGED);
    }

    @Test
    void anUploadThatCannotBeStoredIsAnswered503WithMaxAge() {
        ingest.mode(FakeIngest.Mode.FAIL);

        CoapResponse response = post(client(device("coap-failed").token()));

        assertThat(response.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
        assertThat(response.getOptions().getMaxAge()).isEqualTo(7);
        assertThat(response.getResponseText()).contains("retry");
    }

    @Test
    void whileTheIngestQueueIsHighUploadsAreAnswered503AtOnceWithoutBeingAdmitted() {
        CoapClient client = client(device("coap-high").token());
        raisePressure();

        CoapResponse busy = post(client);

        assertThat(busy.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
        assertThat(busy.getOptions().getMaxAge()).isEqualTo(1);
        assertThat(ingest.calls()).isZero();
        lowerPressure();
        assertThat(post(client).getCode()).isEqualTo(ResponseCode.CHANGED);
    }

    private CoapClient client(String token) {
        return new CoapClient("coap://127.0.0.1:" + transport.port() + "/api/v1/" + token + "/telemetry")
                .setTimeout(10_000L);
    }

    private static CoapResponse post(CoapClient client) {
        try {
            return client.post("{\"t\": 1}", MediaTypeRegistry.APPLICATION_JSON);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
