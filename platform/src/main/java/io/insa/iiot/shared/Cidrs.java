package io.insa.iiot.shared;

import java.util.Arrays;
import java.util.List;
import org.springframework.security.web.util.matcher.IpAddressMatcher;

/** Lists of IPv4 and IPv6 CIDRs from configuration, e.g. {@code 10.0.0.0/8, fd00::/8, 192.0.2.7}. */
public final class Cidrs {

    private static final java.util.regex.Pattern LITERAL = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private Cidrs() {}

    /** Parses a comma-separated list; a malformed entry stops the start with the setting's name. */
    public static List<IpAddressMatcher> parse(String setting, String value) {
        return Arrays.stream(value.split(","))
                .map(String::strip)
                .filter(entry -> !entry.isEmpty())
                .map(entry -> {
                    try {
                        return new IpAddressMatcher(entry);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalStateException(setting + ": '" + entry + "' is not an IP address or CIDR", e);
                    }
                })
                .toList();
    }

    public static boolean contains(List<IpAddressMatcher> cidrs, String address) {
        if (address == null || !LITERAL.matcher(address).matches()) {
            return false; // a forwarded "unknown" or a host name: never looked up
        }
        try {
            return cidrs.stream().anyMatch(cidr -> cidr.matches(address));
        } catch (IllegalArgumentException notAnAddress) {
            return false;
        }
    }
}
