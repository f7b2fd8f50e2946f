package io.insa.iiot.rules;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.io.Closer;
import org.apache.hc.core5.io.ModalCloseable;
import org.apache.hc.core5.util.Timeout;

/**
 * Posts a signed webhook once and says how it went. The caller retries, so the client neither retries nor follows
 * redirects (a redirect could lead anywhere, including past the address check), and every network problem becomes an
 * undelivered {@link Delivery} instead of an exception.
 */
final class WebhookSender implements AutoCloseable {

    static final String SIGNATURE_HEADER = "X-Insa-Signature";
    static final String USER_AGENT = "insa-iiot-webhook";

    private static final ContentType JSON = ContentType.create("application/json");

    private final WebhookAddresses addresses;
    private final CloseableHttpClient client;

    WebhookSender(WebhookAddresses addresses, Duration timeout) {
        this.addresses = addresses;
        Timeout limit = Timeout.of(timeout);
        PoolingHttpClientConnectionManager connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(new CheckedResolver(addresses))
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(limit)
                        .setSocketTimeout(limit)
                        .build())
                .setDefaultSocketConfig(
                        SocketConfig.custom().setSoTimeout(limit).build())
                .build();
        this.client = HttpClients.custom()
                .setConnectionManager(connections)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(limit)
                        .setResponseTimeout(limit)
                        .setRedirectsEnabled(false)
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent(USER_AGENT)
                .build();
    }

    /** The outcome of one attempt: {@code status} is 0 without an HTTP answer, {@code error} null once delivered. */
    record Delivery(boolean delivered, int status, String error) {

        static Delivery failed(String error) {
            return new Delivery(false, 0, error);
        }
    }

    /** POSTs the body as JSON, signed with the secret; delivered only on a 2xx answer. */
    Delivery post(String url, String secret, byte[] body) {
        URI uri;
        try {
            uri = addresses.parse(url);
        } catch (IllegalArgumentException e) {
            return Delivery.failed(e.getMessage());
        }
        HttpPost request = new HttpPost(uri);
        request.setHeader(SIGNATURE_HEADER, signature(secret, body));
        request.setEntity(new ByteArrayEntity(body, JSON));
        try {
            ClassicHttpResponse response = client.executeOpen(null, request, null);
            try {
                int status = response.getCode();
                return status >= 200 && status < 300
                        ? new Delivery(true, status, null)
                        : new Delivery(false, status, "HTTP " + status);
            } finally {
                discard(response);
            }
        } catch (IOException e) {
            return Delivery.failed(describe(e));
        } catch (RuntimeException e) {
            return Delivery.failed("failed: " + e.getClass().getSimpleName());
        }
    }

    /** {@code sha256=} and the lower-case hex HMAC-SHA256 of the exact body bytes under the secret (UTF-8). */
    static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
    }

    /**
     * Drops the connection instead of reading the answer's body: nobody needs it, and a receiver streaming it slowly
     * must not hold the sender.
     */
    private static void discard(ClassicHttpResponse response) {
        if (response instanceof ModalCloseable closeable) {
            closeable.close(CloseMode.IMMEDIATE);
        } else {
            Closer.closeQuietly(response);
        }
    }

    private static String describe(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof WebhookAddresses.RefusedAddressException) {
                return "refused address: " + cause.getMessage();
            }
        }
        return switch (e) {
            case UnknownHostException u -> "unknown host";
            case ConnectTimeoutException c -> "timeout";
            case SocketTimeoutException s -> "timeout";
            case ConnectException c -> "connection refused";
            case NoRouteToHostException n -> "no route to host";
            case SSLException s -> "TLS failure: " + s.getMessage();
            case InterruptedIOException i -> "interrupted";
            default -> "network error: " + e.getClass().getSimpleName();
        };
    }

    /** The HTTP client's only resolver: one lookup, checked, and the connection goes to what was checked. */
    private record CheckedResolver(WebhookAddresses addresses) implements DnsResolver {

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            return addresses.resolve(host);
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host;
        }
    }
}
