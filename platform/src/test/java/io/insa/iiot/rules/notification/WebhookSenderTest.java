package io.insa.iiot.rules.notification;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One webhook attempt against a real local HTTP server: what arrives, and what counts as delivered. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WebhookSenderTest {

    /** What the server saw of one request. */
    private record Received(
            String method, String path, String contentType, String userAgent, String signature, byte[] body) {}

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private HttpServer server;
    private WebhookSender sender;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/ok", exchange -> answer(exchange, 200));
        server.createContext("/fail", exchange -> answer(exchange, 500));
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", url("/ok"));
            answer(exchange, 302);
        });
        server.createContext("/slow", exchange -> {
            record(exchange);
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        sender = new WebhookSender(new WebhookAddresses(true), Duration.ofMillis(300));
    }

    @AfterEach
    void stopServer() {
        sender.close();
        release.countDown();
        server.stop(0);
        handlers.shutdownNow();
    }

    @Test
    void theBodyArrivesUnchangedWithASignatureOverTheExactBytes() throws Exception {
        byte[] body = "{\"alert\":\"température > 80 °C\",\"value\":81.5}".getBytes(StandardCharsets.UTF_8);

        WebhookSender.Delivery delivery = sender.post(url("/ok"), "s3cret-ü", body);

        assertThat(delivery).isEqualTo(new WebhookSender.Delivery(true, 200, null));
        assertThat(received).hasSize(1);
        Received request = received.getFirst();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.body()).isEqualTo(body);
        assertThat(request.contentType()).isEqualTo("application/json");
        assertThat(request.userAgent()).isEqualTo("insa-iiot-webhook");
        assertThat(request.signature()).isEqualTo("sha256=" + hmacHex("s3cret-ü", body));
    }

    @Test
    void theSignatureIsTheRfc4231HmacSha256() {
        byte[] data = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);
        assertThat(WebhookSender.signature("Jefe", data))
                .isEqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void aServerErrorIsNotDelivered() {
        WebhookSender.Delivery delivery = sender.post(url("/fail"), "k", "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(delivery).isEqualTo(new WebhookSender.Delivery(false, 500, "http_500"));
        assertThat(received).hasSize(1);
    }

    @Test
    void aRedirectIsNotFollowedAndNotDelivered() {
        WebhookSender.Delivery delivery = sender.post(url("/moved"), "k", "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(delivery).isEqualTo(new WebhookSender.Delivery(false, 302, "http_302"));
        assertThat(received).extracting(Received::path).containsExactly("/moved");
    }

    @Test
    void aRefusedAddressIsNotDeliveredAndNoRequestReachesTheServer() {
        try (WebhookSender strict = new WebhookSender(new WebhookAddresses(false), Duration.ofMillis(300))) {
            String literal = "https://127.0.0.1:" + port() + "/ok";
            String named = "https://localhost:" + port() + "/ok";

            WebhookSender.Delivery byLiteral = strict.post(literal, "k", "{}".getBytes(StandardCharsets.UTF_8));
            WebhookSender.Delivery byName = strict.post(named, "k", "{}".getBytes(StandardCharsets.UTF_8));
            WebhookSender.Delivery overHttp = strict.post(url("/ok"), "k", "{}".getBytes(StandardCharsets.UTF_8));

            assertThat(byLiteral.delivered()).isFalse();
            assertThat(byLiteral.status()).isZero();
            assertThat(byLiteral.error()).isEqualTo("address_not_allowed");
            assertThat(byName.delivered()).isFalse();
            assertThat(byName.error()).isEqualTo("address_not_allowed");
            assertThat(overHttp.delivered()).isFalse();
            assertThat(overHttp.error()).contains("must use https");
        }
        assertThat(received).isEmpty();
    }

    @Test
    void aServerThatDoesNotAnswerInTimeIsATimeout() {
        long started = System.nanoTime();

        WebhookSender.Delivery delivery = sender.post(url("/slow"), "k", "{}".getBytes(StandardCharsets.UTF_8));

        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(delivery).isEqualTo(new WebhookSender.Delivery(false, 0, "timeout"));
        assertThat(took).isLessThan(Duration.ofSeconds(5));
        assertThat(received).hasSize(1);
    }

    @Test
    void aClosedPortIsAFailedConnection() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        WebhookSender.Delivery delivery =
                sender.post("http://127.0.0.1:" + closedPort + "/ok", "k", "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(delivery).isEqualTo(new WebhookSender.Delivery(false, 0, "connection_failed"));
    }

    @Test
    void aTlsHandshakeWithAServerThatDoesNotSpeakTlsReadsAsAClosedPort() {
        WebhookSender.Delivery delivery =
                sender.post(url("/ok").replace("http://", "https://"), "k", "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(delivery).isEqualTo(new WebhookSender.Delivery(false, 0, "connection_failed"));
        assertThat(received).isEmpty();
    }

    @Test
    void aMalformedUrlIsNotDelivered() {
        WebhookSender.Delivery delivery = sender.post("not a url", "k", "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(delivery.delivered()).isFalse();
        assertThat(delivery.status()).isZero();
        assertThat(delivery.error()).isNotBlank();
    }

    private void answer(HttpExchange exchange, int status) throws IOException {
        record(exchange);
        exchange.getResponseHeaders().add("Content-Type", "text/plain");
        byte[] text = "answer".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, text.length);
        exchange.getResponseBody().write(text);
        exchange.close();
    }

    private void record(HttpExchange exchange) throws IOException {
        var headers = exchange.getRequestHeaders();
        received.add(new Received(
                exchange.getRequestMethod(),
                exchange.getRequestURI().getPath(),
                headers.getFirst("Content-Type"),
                headers.getFirst("User-Agent"),
                headers.getFirst("X-Insa-Signature"),
                exchange.getRequestBody().readAllBytes()));
    }

    private int port() {
        return server.getAddress().getPort();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The receiver's side of the check, computed here without the sender's code. */
    private static String hmacHex(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
