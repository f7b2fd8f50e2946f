package io.insa.iiot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.device.DeviceCredentials;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Points;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Credentials that were revoked stop working at once on the HTTP device API, even while they are in
 * use, and a message of a device deleted while it was on its way is not stored.
 */
@Timeout(120)
class RevokedDeviceIngestIT extends IntegrationTest {

    @Autowired
    DeviceCredentials devices;

    @Autowired
    IngestService ingest;

    private static UUID tenant;
    private static Fixture.Member operator;

    @BeforeEach
    void tenant() {
        if (tenant == null) {
            tenant = fixture.tenant("Revoked ingest");
            operator = fixture.member(tenant, "operator");
        }
    }

    /**
     * Devices keep authenticating with the old token while it is rotated: a lookup that runs between
     * the change and its commit must not put the old credential back into the cache.
     */
    @Test
    void aRotatedTokenIsRefusedAtOnceEvenWhileItIsInUse() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("busy"));
        HttpClient http = HttpClient.newHttpClient();
        String token = device.token();
        for (int round = 0; round < 30; round++) {
            String old = token;
            AtomicBoolean stop = new AtomicBoolean();
            List<CompletableFuture<Void>> users = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                users.add(CompletableFuture.runAsync(() -> {
                    while (!stop.get()) {
                        authenticateOnly(http, old); // 404 or 401: only the lookup matters
                    }
                }));
            }
            Api.Response rotated = api.post("/api/v1/devices/" + device.id() + "/token", Map.of())
                    .bearer(operator.accessToken())
                    .send();
            assertThat(rotated.status()).isEqualTo(200);
            int afterRotation = authenticateOnly(http, old);
            stop.set(true);
            CompletableFuture.allOf(users.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(afterRotation)
                    .as("round %d: the old token right after its rotation", round)
                    .isEqualTo(401);
            assertThat(fixture.telemetry(old, "{\"a\": 1}").status()).isEqualTo(401);
            token = rotated.json().get("access_token").asString();
        }
        assertThat(fixture.telemetry(token, "{\"a\": 1}").status()).isEqualTo(200);
    }

    @Test
    void aMessageOfADeviceDeletedWhileItWasOnItsWayIsRefusedAndNotStored() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("gone"));
        DeviceIdentity authenticated = devices.authenticate(device.token()).orElseThrow();
        assertThat(api.delete("/api/v1/devices/" + device.id())
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);

        // a transport that authenticated the device before the delete hands its message over after it
        IngestResult result = ingest.telemetry(authenticated, "{\"late\": 1}".getBytes(StandardCharsets.UTF_8))
                .get(10, TimeUnit.SECONDS);
        IngestResult attributes = ingest.attributes(
                        authenticated, "{\"fw\": \"late\"}".getBytes(StandardCharsets.UTF_8))
                .get(10, TimeUnit.SECONDS);

        assertThat(result)
                .isInstanceOfSatisfying(
                        IngestResult.Rejected.class, r -> assertThat(r.detail()).contains("deleted"));
        assertThat(attributes).isInstanceOf(IngestResult.Rejected.class);
        assertThat(Points.count(tenant, device.id(), "late")).isZero();
        assertThat(Points.latest(tenant, device.id())).isZero();
    }

    /** A device call that does nothing but authenticate: the answer to a command nobody sent. */
    private int authenticateOnly(HttpClient http, String token) {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/v1/" + token + "/rpc/" + UUID.randomUUID()))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
