package io.insa.iiot.rules.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.insa.iiot.shared.OutboundAddresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The webhook SSRF guard: which addresses and URLs a tenant's rule may make the platform call. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WebhookAddressesTest {

    private final WebhookAddresses strict = new WebhookAddresses(false);
    private final WebhookAddresses lenient = new WebhookAddresses(true);

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "127.0.0.1",
                "127.255.0.9",
                "0.0.0.0",
                "0.1.2.3",
                "10.0.0.5",
                "172.16.0.1",
                "172.31.255.255",
                "192.168.1.1",
                "100.64.0.1",
                "100.100.100.200",
                "100.127.255.254",
                "169.254.169.254",
                "169.254.0.1",
                "224.0.0.1",
                "239.255.255.250",
                "255.255.255.255",
                "::",
                "::1",
                "fe80::1",
                "febf::1",
                "fc00::1",
                "fd00:ec2::254",
                "ff02::1",
                "::ffff:127.0.0.1",
                "::ffff:10.1.2.3",
                "::ffff:169.254.169.254",
                "::127.0.0.1",
                "::10.0.0.1",
                "64:ff9b::a9fe:a9fe",
                "2002:7f00:1::"
            })
    void refusedAddressesAreRefusedAsLiteralHosts(String address) throws Exception {
        assertThat(OutboundAddresses.refusedKind(InetAddress.getByName(address)))
                .isPresent();
        assertThatThrownBy(() -> strict.resolve(address)).isInstanceOf(UnknownHostException.class);
        assertThatThrownBy(() -> strict.checkUrl("https://" + bracketed(address) + "/hook"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refused unless insa.notify.webhook.allow-private-addresses=true");
    }

    /** The rest of the IANA IPv4 and IPv6 special-purpose registries: documentation, benchmarking, protocol ranges. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "192.0.0.1", // IETF protocol assignments 192.0.0.0/24
                "192.0.0.170", // NAT64 discovery
                "192.0.2.1", // TEST-NET-1
                "192.88.99.1", // 6to4 relay anycast (deprecated)
                "198.18.0.1", // benchmarking 198.18.0.0/15
                "198.19.255.254",
                "198.51.100.7", // TEST-NET-2
                "203.0.113.9", // TEST-NET-3
                "240.0.0.1", // reserved 240.0.0.0/4
                "100::1", // discard-only 100::/64
                "2001::1", // IETF protocol assignments 2001::/23 (TEREDO)
                "2001:2::1", // benchmarking 2001:2::/48
                "2001:10::1", // ORCHID
                "2001:20::1", // ORCHIDv2
                "2001:db8::1", // documentation 2001:db8::/32
                "3fff::1", // documentation 3fff::/20
                "5f00::1", // segment routing SIDs 5f00::/16
                "64:ff9b:1::1", // local-use IPv4/IPv6 translation 64:ff9b:1::/48
                "::ffff:192.0.2.1", // mapped: judged by its IPv4 address
                "::ffff:198.18.0.1",
                "64:ff9b::c000:201" // NAT64 of 192.0.2.1
            })
    void specialPurposeAddressesAreRefused(String address) throws Exception {
        assertThat(OutboundAddresses.refusedKind(InetAddress.getByName(address)))
                .as(address)
                .isPresent();
        assertThatThrownBy(() -> strict.checkUrl("https://" + bracketed(address) + "/hook"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theHostsOwnAddressesAreRefused() throws Exception {
        var own = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                .toList();
        assertThat(own).isNotEmpty();
        for (InetAddress address : own) {
            assertThat(OutboundAddresses.refusedKind(address))
                    .as(address.getHostAddress())
                    .isPresent();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "8.8.8.8",
                "1.1.1.1",
                "93.184.216.34",
                "172.15.255.255",
                "172.32.0.1",
                "192.169.0.1",
                "100.63.255.255",
                "100.128.0.1",
                "169.255.0.1",
                "223.255.255.255",
                "2001:4860:4860::8888",
                "2606:4700:4700::1111",
                "::ffff:8.8.8.8",
                "64:ff9b::808:808"
            })
    void publicAddressesAreAllowed(String address) throws Exception {
        assertThat(OutboundAddresses.refusedKind(InetAddress.getByName(address)))
                .isEmpty();
        assertThat(strict.resolve(address)).containsExactly(InetAddress.getByName(address));
        assertThatCode(() -> strict.checkUrl("https://" + bracketed(address) + ":8443/hook?x=1"))
                .doesNotThrowAnyException();
    }

    @Test
    void theMessageNamesTheKindAndTheAddress() {
        assertThatThrownBy(() -> strict.checkUrl("https://10.0.0.5/hook"))
                .hasMessageContaining("resolves to a private address (10.0.0.5)");
        assertThatThrownBy(() -> strict.checkUrl("https://169.254.169.254/latest/meta-data/"))
                .hasMessageContaining("metadata");
    }

    @Test
    void httpsIsRequiredAndHttpOnlyWithTheSetting() {
        assertThatThrownBy(() -> strict.checkUrl("http://8.8.8.8/hook"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must use https");
        assertThatThrownBy(() -> strict.checkUrl("ftp://8.8.8.8/hook")).hasMessageContaining("must use https");
        assertThatThrownBy(() -> lenient.checkUrl("ftp://8.8.8.8/hook")).hasMessageContaining("must use https");
        assertThatThrownBy(() -> strict.checkUrl("file:///etc/passwd")).hasMessageContaining("must use https");
        assertThatCode(() -> lenient.checkUrl("http://8.8.8.8/hook")).doesNotThrowAnyException();
        assertThatCode(() -> strict.checkUrl("HTTPS://8.8.8.8/hook")).doesNotThrowAnyException();
    }

    @Test
    void malformedUrlsAreRefused() {
        assertThatThrownBy(() -> strict.checkUrl(null)).hasMessageContaining("required");
        assertThatThrownBy(() -> strict.checkUrl(" ")).hasMessageContaining("required");
        assertThatThrownBy(() -> strict.checkUrl("/relative/hook")).hasMessageContaining("must be absolute");
        assertThatThrownBy(() -> strict.checkUrl("mailto:ops@example.com")).hasMessageContaining("must be absolute");
        assertThatThrownBy(() -> strict.checkUrl("https:///hook")).hasMessageContaining("must name a host");
        assertThatThrownBy(() -> strict.checkUrl("https://exa mple.com/")).hasMessageContaining("not a valid URL");
    }

    @Test
    void userInfoIsRefused() {
        assertThatThrownBy(() -> strict.checkUrl("https://user:pw@8.8.8.8/hook"))
                .hasMessageContaining("must not contain a user name or password");
        assertThatThrownBy(() -> strict.checkUrl("https://8.8.8.8@127.0.0.1/hook"))
                .hasMessageContaining("must not contain a user name or password");
        assertThatThrownBy(() -> lenient.checkUrl("http://user@under_score/hook"))
                .hasMessageContaining("must not contain a user name or password");
    }

    @Test
    void allowPrivateLetsLoopbackAndPrivateAddressesThrough() throws Exception {
        assertThatCode(() -> lenient.checkUrl("http://127.0.0.1:8080/hook")).doesNotThrowAnyException();
        assertThatCode(() -> lenient.checkUrl("https://[::1]/hook")).doesNotThrowAnyException();
        assertThatCode(() -> lenient.checkUrl("https://169.254.169.254/")).doesNotThrowAnyException();
        assertThat(lenient.resolve("10.0.0.5")).containsExactly(InetAddress.getByName("10.0.0.5"));
    }

    @Test
    void ipv4MappedLoopbackIsRefused() {
        assertThatThrownBy(() -> strict.checkUrl("https://[::ffff:127.0.0.1]/hook"))
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> strict.checkUrl("https://[0:0:0:0:0:ffff:7f00:1]/hook"))
                .hasMessageContaining("loopback");
    }

    @Test
    void localhostByNameIsRefused() {
        assertThatThrownBy(() -> strict.checkUrl("https://localhost/hook")).hasMessageContaining("loopback");
        assertThatThrownBy(() -> strict.resolve("localhost"))
                .isInstanceOf(io.insa.iiot.shared.OutboundAddresses.RefusedAddressException.class);
    }

    @Test
    void anEmptyHostIsNeverLoopbackByAccident() {
        assertThatThrownBy(() -> lenient.resolve("")).isInstanceOf(UnknownHostException.class);
        assertThatThrownBy(() -> lenient.resolve(null)).isInstanceOf(UnknownHostException.class);
    }

    @Test
    void anUnresolvableHostIsRefused() {
        assertThatThrownBy(() -> strict.checkUrl("https://no-such-host.invalid/hook"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be resolved");
    }

    private static String bracketed(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }
}
