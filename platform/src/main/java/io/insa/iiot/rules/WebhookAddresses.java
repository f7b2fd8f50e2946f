package io.insa.iiot.rules;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The guard against server-side request forgery through rule webhooks: a tenant must not make the platform call its
 * own loopback, the private network or a cloud metadata service. Literal addresses and every address a name resolves
 * to are checked; {@link #resolve} is also the HTTP client's resolver, so the connection goes to exactly the addresses
 * that were checked, even if the DNS answer changes between the rule being saved and the webhook being sent.
 */
final class WebhookAddresses {

    static final String ALLOW_PRIVATE_SETTING = "insa.notify.webhook.allow-private-addresses";

    private final boolean allowPrivate;

    WebhookAddresses(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** Refuses a webhook URL that is malformed, not https or resolves to a refused address, with a human message. */
    void checkUrl(String url) {
        URI uri = parse(url);
        try {
            resolve(uri.getHost());
        } catch (RefusedAddressException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
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
        if (host == null || host.isBlank()) {
            // InetAddress would answer loopback for an empty name.
            throw new UnknownHostException("no host");
        }
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses = InetAddress.getAllByName(name);
        if (!allowPrivate) {
            for (InetAddress address : addresses) {
                Optional<String> kind = refusedKind(address);
                if (kind.isPresent()) {
                    throw new RefusedAddressException("webhook host " + host + " resolves to " + kind.get() + " ("
                            + address.getHostAddress() + "); refused unless " + ALLOW_PRIVATE_SETTING + "=true");
                }
            }
        }
        return addresses;
    }

    /** What kind of refused address this is ("a loopback address"), or empty for a public one. */
    static Optional<String> refusedKind(InetAddress address) {
        byte[] bytes = address.getAddress();
        return address instanceof Inet4Address || bytes.length == 4 ? refusedV4(bytes) : refusedV6(bytes);
    }

    private static Optional<String> refusedV4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 0) {
            return Optional.of("an unspecified address");
        }
        if (first == 127) {
            return Optional.of("a loopback address");
        }
        if (first == 10 || (first == 172 && (second & 0xf0) == 16) || (first == 192 && second == 168)) {
            return Optional.of("a private address");
        }
        if (first == 100 && (second & 0xc0) == 64) {
            return Optional.of("a carrier-grade NAT address");
        }
        if (first == 169 && second == 254) {
            return Optional.of("a link-local or metadata address");
        }
        if ((first & 0xf0) == 224) {
            return Optional.of("a multicast address");
        }
        if ((first & 0xf0) == 240) {
            return Optional.of("a reserved or broadcast address");
        }
        return Optional.empty();
    }

    private static Optional<String> refusedV6(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (allZero(b, 0, 15)) {
            return Optional.of(
                    b[15] == 0 ? "an unspecified address" : b[15] == 1 ? "a loopback address" : "a reserved address");
        }
        if (allZero(b, 0, 12)) {
            return refusedV4(Arrays.copyOfRange(b, 12, 16)); // IPv4-compatible ::a.b.c.d
        }
        if (allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return refusedV4(Arrays.copyOfRange(b, 12, 16)); // IPv4-mapped ::ffff:a.b.c.d
        }
        if (first == 0x00 && second == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && allZero(b, 4, 12)) {
            return refusedV4(Arrays.copyOfRange(b, 12, 16)); // NAT64 64:ff9b::a.b.c.d
        }
        if (first == 0x20 && second == 0x02) {
            return refusedV4(Arrays.copyOfRange(b, 2, 6)); // 6to4 2002:aabb:ccdd::
        }
        if (first == 0xfe && (second & 0xc0) == 0x80) {
            return Optional.of("a link-local address");
        }
        if (first == 0xfe && (second & 0xc0) == 0xc0) {
            return Optional.of("a site-local address");
        }
        if ((first & 0xfe) == 0xfc) {
            return Optional.of("a unique local or metadata address");
        }
        if (first == 0xff) {
            return Optional.of("a multicast address");
        }
        return Optional.empty();
    }

    private static boolean allZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** A refusal as the HTTP client's resolver reports it, told apart from a name that does not exist. */
    static final class RefusedAddressException extends UnknownHostException {
        RefusedAddressException(String message) {
            super(message);
        }
    }
}
