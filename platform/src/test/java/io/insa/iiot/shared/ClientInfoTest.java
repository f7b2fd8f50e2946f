package io.insa.iiot.shared;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** The console's relayed browser address is believed only with this process's secret, over loopback. */
class ClientInfoTest {

    @Test
    void aRelayedAddressNeedsTheSecretAndLoopback() {
        MockHttpServletRequest relayed = request("127.0.0.1");
        relayed.addHeader(ClientInfo.RELAYED_FOR, "203.0.113.7");
        relayed.addHeader(ClientInfo.RELAY_KEY, ClientInfo.RELAY_SECRET);
        relayed.addHeader(ClientInfo.RELAYED_AGENT, "Browser/1");
        assertThat(ClientInfo.of(relayed)).isEqualTo(new ClientInfo("203.0.113.7", "Browser/1"));

        MockHttpServletRequest forged = request("127.0.0.1");
        forged.addHeader(ClientInfo.RELAYED_FOR, "203.0.113.7");
        forged.addHeader(ClientInfo.RELAY_KEY, "guess");
        assertThat(ClientInfo.of(forged).ip()).isEqualTo("127.0.0.1");

        MockHttpServletRequest remote = request("198.51.100.4");
        remote.addHeader(ClientInfo.RELAYED_FOR, "203.0.113.7");
        remote.addHeader(ClientInfo.RELAY_KEY, ClientInfo.RELAY_SECRET);
        assertThat(ClientInfo.of(remote).ip()).as("not from this process").isEqualTo("198.51.100.4");
    }

    private static MockHttpServletRequest request(String remote) {
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setRemoteAddr(remote);
        return request;
    }
}
