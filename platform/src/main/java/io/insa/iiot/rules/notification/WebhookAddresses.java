package io.insa.iiot.rules.notification;

import io.insa.iiot.shared.OutboundAddresses;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * The guard against server-side request forgery through rule webhooks: the URL's form (https, a host, no user info)
 * and the platform's outbound address policy ({@link OutboundAddresses}, shared with the OPC UA connectors). Literal
 * addresses and every address a name resolves to are checked; {@link #resolve} is also the HTTP client's resolver, so
 * the connection goes to exactly the addresses that were checked, even if the DNS answer changes between the rule
 * being saved and the webhook being sent.
 */
public final class WebhookAddresses {

    static final String ALLOW_PRIVATE_SETTING = "insa.notify.webhook.allow-private-addresses";

    private final boolean allowPrivate;
    private final OutboundAddresses addresses;

    WebhookAddresses(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
        this.addresses = new OutboundAddresses(ALLOW_PRIVATE_SETTING + "=true", List.of(), allowPrivate);
    }

    /** Refuses a webhook URL that is malformed, not https or resolves to a refused address, with a human message. */
    public void checkUrl(String url) {
        URI uri = parse(url);
        try {
            resolve(uri.getHost());
        } catch (OutboundAddresses.RefusedAddressException e) {
            throw new IllegalArgumentException("webhook " + e.getMessage(), e);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("webhook host " + uri.getHost() + " cannot be resolved", e);
        }
    }

    /**
     * The URL as the sender uses it, checked for everything that needs no DNS: absolute, https (http only with the
     * setting), a host and no user info.
     */
    URI parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("webhook URL is required");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("webhook URL is not a valid URL: " + e.getReason(), e);
        }
        if (!uri.isAbsolute() || uri.isOpaque()) {
            throw new IllegalArgumentException("webhook URL must be absolute, such as https://example.com/hook");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowPrivate && scheme.equals("http"))) {
            throw new IllegalArgumentException("webhook URL must use https"
                    + (scheme.equals("http") ? " (http only with " + ALLOW_PRIVATE_SETTING + "=true)" : ""));
        }
        if (uri.getRawUserInfo() != null
                || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
            throw new IllegalArgumentException("webhook URL must not contain a user name or password");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("webhook URL must name a host");
        }
        return uri;
    }

    /**
     * Resolves the host once and refuses the whole answer if any address is refused: one bad address is enough for a
     * connection attempt to reach it.
     */
    InetAddress[] resolve(String host) throws UnknownHostException {
        return addresses.resolve(host);
    }
}
