package io.insa.iiot.rules.notification;

import io.insa.iiot.shared.OutboundAddresses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
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
 * undelivered {@link Delivery} instead of an exception. A failure is told by category only, so that a tenant's
 * webhooks map no network: everything before a connection (TLS included) is established reads
 * {@value #CONNECTION_FAILED}, whether the port was closed, filtered or spoke something else.
 */
final class WebhookSender implements AutoCloseable {

    static final String SIGNATURE_HEADER = "X-Insa-Signature";
    static final String USER_AGENT = "insa-iiot-webhook";

    /** The policy refused the target's address (at sending time: the name's DNS answer changed). */
    static final String ADDRESS_NOT_ALLOWED = "address_not_allowed";
    /** No connection came about: unknown name, refused, unreachable, no answer, or a TLS handshake that failed. */
    static final String CONNECTION_FAILED = "connection_failed";
    /** Connected (TLS done), but the receiver did not answer in time. */
    static final String TIMEOUT = "timeout";

    private static final ContentType JSON = ContentType.create("application/json");
    /** Set once the connection (and its TLS handshake) is up, just before the request is sent. */
    private static final String CONNECTED = "insa.webhook.connected";

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
                .addExecInterceptorBefore(ChainElement.MAIN_TRANSPORT.name(), "connected", (request, scope, chain) -> {
                    scope.clientContext.setAttribute(CONNECTED, Boolean.TRUE);
                    return chain.proceed(request, scope);
                })
                .build();
    }

    /**
     * The outcome of one attempt: {@code status} is 0 without an HTTP answer, {@code error} null once delivered, else
     * a category ({@code http_<status>} for an answer that is not 2xx).
     */
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
        HttpClientContext context = HttpClientContext.create();
        try {
            ClassicHttpResponse response = client.executeOpen(null, request, context);
            try {
                int status = response.getCode();
                return status >= 200 && status < 300
                        ? new Delivery(true, status, null)
                        : new Delivery(false, status, "http_" + status);
            } finally {
                discard(response);
            }
        } catch (IOException e) {
            return Delivery.failed(category(e, context.getAttribute(CONNECTED) != null));
        } catch (RuntimeException e) {
            return Delivery.failed(CONNECTION_FAILED);
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

    private static String category(IOException e, boolean connected) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof OutboundAddresses.RefusedAddressException) {
                return ADDRESS_NOT_ALLOWED;
            }
        }
        return connected && e instanceof SocketTimeoutException ? TIMEOUT : CONNECTION_FAILED;
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
