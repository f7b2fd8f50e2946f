package io.insa.iiot.shared;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Request bodies are capped before anything reads them: 1 MiB by default, more for bulk
 * provisioning; 413 problem+json, decided from Content-Length when there is one, else by counting.
 */
class BodySizeLimitIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MIB = 1024 * 1024;

    private static Fixture.Member operator;

    @BeforeEach
    void tenant() {
        if (operator == null) {
            operator = fixture.member(fixture.tenant("Body limits"), "operator");
        }
    }

    @Test
    @Timeout(30)
    void aDeclaredOversizeBodyIs413BeforeItIsEvenSent() throws IOException {
        // 30 MiB announced on the unauthenticated refresh endpoint, 20 bytes sent: the answer must not wait for more
        Raw response = raw(
                "POST /api/v1/auth/refresh",
                Map.of("Content-Type", "application/json", "Content-Length", Integer.toString(30 * MIB)),
                "{\"refresh_token\": \"".getBytes(StandardCharsets.UTF_8));

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.headers().get("content-type")).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asString()).contains("1048576 bytes");
    }

    @Test
    @Timeout(30)
    void aChunkedBodyIsCountedAndRefusedAtTheCap() throws Exception {
        byte[] body = ("{\"refresh_token\": \"" + "a".repeat(2 * MIB) + "\"}").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = chunked("/api/v1/auth/refresh", "application/json", body, null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(JSON.readTree(response.body()).get("detail").asString()).contains("1048576 bytes");
    }

    @Test
    @Timeout(60)
    void bulkProvisioningTakesBodiesAboveTheGeneralCapUpToItsOwn() throws Exception {
        String name = Fixture.unique("bulk-big");
        // valid JSON of 1.5 MiB: one device and a lot of insignificant white space
        byte[] body = ("{\"devices\": [{\"name\": \"" + name + "\", \"type\": \"sensor\"}]" + " ".repeat(3 * MIB / 2)
                        + "}")
                .getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> accepted =
                chunked("/api/v1/devices/bulk", "application/json", body, operator.accessToken());

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
        assertThat(JSON.readTree(accepted.body()).get("created").asInt()).isEqualTo(1);

        Raw refused = raw(
                "POST /api/v1/devices/bulk",
                Map.of(
                        "Content-Type",
                        "application/json",
                        "Content-Length",
                        Integer.toString(9 * MIB),
                        "Authorization",
                        "Bearer " + operator.accessToken()),
                "{\"devices\": [".getBytes(StandardCharsets.UTF_8));
        assertThat(refused.status()).isEqualTo(413);
        assertThat(refused.json().get("detail").asString()).contains("8388608 bytes");
        assertThat(api.get("/api/v1/devices?name=" + name)
                        .bearer(operator.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    @Timeout(30)
    void theDeviceApiKeepsItsOwnPayloadLimitAndAnswer() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("chunky"));
        byte[] body = ("{\"blob\": \"" + "x".repeat(2 * MIB) + "\"}").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response =
                chunked("/api/v1/" + device.token() + "/telemetry", "application/json", body, null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("detail").asString())
                .contains("exceeds the limit of 65536 bytes");
    }

    /** A body without Content-Length: Java's client sends it chunked. */
    private HttpResponse<String> chunked(String path, String contentType, byte[] body, String bearer)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    record Raw(int status, Map<String, String> headers, String body) {
        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    /** Sends the head and the start of a body over a plain socket and reads the answer without sending more. */
    private Raw raw(String requestLine, Map<String, String> headers, byte[] bodyStart) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            StringBuilder head = new StringBuilder(requestLine).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            headers.forEach((name, value) ->
                    head.append(name).append(": ").append(value).append("\r\n"));
            OutputStream out = socket.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.write(bodyStart);
            out.flush();
            InputStream in = socket.getInputStream();
            String status = line(in);
            Map<String, String> responseHeaders = new LinkedHashMap<>();
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                responseHeaders.put(
                        header.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        header.substring(colon + 1).strip());
            }
            byte[] body;
            if (responseHeaders.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(responseHeaders.get("content-length")));
            } else {
                ByteArrayOutputStream chunks = new ByteArrayOutputStream();
                for (int size = Integer.parseInt(line(in), 16); size > 0; size = Integer.parseInt(line(in), 16)) {
                    chunks.write(in.readNBytes(size));
                    line(in);
                }
                body = chunks.toByteArray();
            }
            return new Raw(
                    Integer.parseInt(status.split(" ")[1]), responseHeaders, new String(body, StandardCharsets.UTF_8));
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
