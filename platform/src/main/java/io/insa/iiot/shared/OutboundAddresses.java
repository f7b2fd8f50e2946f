package io.insa.iiot.shared;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.springframework.security.web.util.matcher.IpAddressMatcher;

/**
 * The one address policy for every connection the platform opens on a tenant's behalf (rule webhooks, OPC UA
 * connectors): a tenant must not make the platform reach its own loopback, the private network, a cloud metadata
 * service or the host itself. A name is resolved once and every address of the answer is judged; the caller then
 * connects to exactly the addresses that were judged (pinning), so a DNS answer that changes between the check and
 * the connection gains nothing.
 *
 * <p>Refused: loopback, private, carrier-grade NAT, link-local, unique-local, site-local, multicast, every range of
 * the IANA IPv4 and IPv6 special-purpose address registries, and the host's own interface addresses. IPv4-mapped,
 * IPv4-compatible, NAT64 and 6to4 addresses are judged by the IPv4 address they carry. An operator setting admits
 * networks otherwise refused.
 */
public final class OutboundAddresses {

    private static final long OWN_ADDRESSES_TTL_NANOS = 60_000_000_000L;
    private static volatile Set<String> ownAddresses = Set.of();
    private static volatile long ownAddressesAt = System.nanoTime() - OWN_ADDRESSES_TTL_NANOS;

    private final String setting;
    private final List<IpAddressMatcher> allowed;
    private final boolean allowEverything;

    /**
     * @param setting the operator setting that admits a refused address, named in refusals
     * @param allowed networks admitted although the policy refuses them
     * @param allowEverything admit every address (development: a webhook receiver on loopback)
     */
    public OutboundAddresses(String setting, List<IpAddressMatcher> allowed, boolean allowEverything) {
        this.setting = setting;
        this.allowed = List.copyOf(allowed);
        this.allowEverything = allowEverything;
    }

    /** Resolves the host and refuses the whole answer if any address is refused (one is enough to be reached). */
    public InetAddress[] resolve(String host) throws UnknownHostException {
        return resolve(host, address -> false);
    }

    /**
     * As {@link #resolve(String)}, with {@code alsoAdmitted} admitting addresses for this one connection (the demo's
     * own line, for the demo's tenant only).
     */
    public InetAddress[] resolve(String host, Predicate<InetAddress> alsoAdmitted) throws UnknownHostException {
        if (host == null || host.isBlank()) {
            // InetAddress would answer loopback for an empty name.
            throw new UnknownHostException("no host");
        }
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses = InetAddress.getAllByName(name);
        if (allowEverything) {
            return addresses;
        }
        boolean literal = isLiteral(name);
        for (InetAddress address : addresses) {
            Optional<String> kind = refusedKind(address);
            if (kind.isPresent() && !admitted(address) && !alsoAdmitted.test(address)) {
                // the resolved address only when the caller wrote it: a name's internal address is not theirs to learn
                throw new RefusedAddressException("host " + host + " resolves to " + kind.get()
                        + (literal ? " (" + address.getHostAddress() + ")" : "") + "; refused unless " + setting);
            }
        }
        return addresses;
    }

    private boolean admitted(InetAddress address) {
        return !allowed.isEmpty() && Cidrs.contains(allowed, address.getHostAddress());
    }

    private static boolean isLiteral(String name) {
        return name.contains(":") || name.matches("[0-9.]+");
    }

    /** What kind of refused address this is ("a loopback address"), or empty for a public one. */
    public static Optional<String> refusedKind(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address || bytes.length == 4) {
            return refusedV4(bytes);
        }
        Optional<String> kind = refusedV6(bytes);
        return kind.isEmpty() && ownAddresses().contains(HexFormat.of().formatHex(bytes))
                ? Optional.of("an address of this host")
                : kind;
    }

    private static Optional<String> refusedV4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        int third = b[2] & 0xff;
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
        if (first == 192 && second == 0 && (third == 0 || third == 2)) {
            return Optional.of(third == 0 ? "an IETF protocol address" : "a documentation address");
        }
        if ((first == 198 && second == 51 && third == 100) || (first == 203 && second == 0 && third == 113)) {
            return Optional.of("a documentation address");
        }
        if (first == 198 && (second & 0xfe) == 18) {
            return Optional.of("a benchmarking address");
        }
        if ((first == 192 && second == 88 && third == 99)
                || (first == 192 && second == 31 && third == 196)
                || (first == 192 && second == 52 && third == 193)
                || (first == 192 && second == 175 && third == 48)) {
            return Optional.of("a special-purpose address"); // 6to4 relay, AS112, AMT
        }
        if (ownAddresses().contains(HexFormat.of().formatHex(b))) {
            return Optional.of("an address of this host");
        }
        return Optional.empty();
    }

    private static Optional<String> refusedV6(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        int word0 = (first << 8) | second;
        int word1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
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
        if (word0 == 0x0064 && word1 == 0xff9b && allZero(b, 4, 12)) {
            return refusedV4(Arrays.copyOfRange(b, 12, 16)); // NAT64 64:ff9b::a.b.c.d
        }
        if (word0 == 0x0064 && word1 == 0xff9b && b[4] == 0 && b[5] == 1) {
            return Optional.of("a local-use translation address"); // 64:ff9b:1::/48
        }
        if (word0 == 0x2002) {
            return refusedV4(Arrays.copyOfRange(b, 2, 6)); // 6to4 2002:aabb:ccdd::
        }
        if (first == 0) {
            return Optional.of("a reserved address"); // ::/8 beyond the forms above
        }
        if (word0 == 0x0100 && allZero(b, 2, 8)) {
            return Optional.of("a discard-only address"); // 100::/64
        }
        if (word0 == 0x2001 && (b[2] & 0xfe) == 0) {
            return Optional.of("an IETF protocol address"); // 2001::/23: Teredo, benchmarking, ORCHID, ...
        }
        if (word0 == 0x2001 && word1 == 0x0db8) {
            return Optional.of("a documentation address");
        }
        if (word0 == 0x3fff && (b[2] & 0xf0) == 0) {
            return Optional.of("a documentation address"); // 3fff::/20
        }
        if (word0 == 0x5f00) {
            return Optional.of("a segment routing address"); // 5f00::/16
        }
        if (word0 == 0x2620 && word1 == 0x004f && (b[4] & 0xff) == 0x80 && b[5] == 0) {
            return Optional.of("a special-purpose address"); // AS112 direct delegation 2620:4f:8000::/48
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

    /** The host's interface addresses (hex of their bytes), read again at most once a minute: they can change. */
    private static Set<String> ownAddresses() {
        long now = System.nanoTime();
        if (now - ownAddressesAt < OWN_ADDRESSES_TTL_NANOS) {
            return ownAddresses;
        }
        try {
            ownAddresses = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                    .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                    .map(a -> HexFormat.of().formatHex(a.getAddress()))
                    .collect(Collectors.toUnmodifiableSet());
        } catch (SocketException e) {
            // keep the last answer
        }
        ownAddressesAt = now;
        return ownAddresses;
    }

    /** A refusal, as a resolver reports it: told apart from a name that does not exist. */
    public static final class RefusedAddressException extends UnknownHostException {
        public RefusedAddressException(String message) {
            super(message);
        }
    }
}
