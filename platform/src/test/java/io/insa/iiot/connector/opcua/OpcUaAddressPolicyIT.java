package io.insa.iiot.connector.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insa.iiot.shared.OutboundExemptions;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.OpcUaTestServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Finding 3 of the second review: connectors reached internal networks and other tenants' servers. A
 * platform with no allow-list, as installed: an endpoint on loopback, a private, link-local or
 * special-purpose address is refused when it is written, and a loopback line admitted for one tenant
 * (as the demo's is) stays out of reach of every other.
 */
@Timeout(120)
@TestPropertySource(properties = "insa.connectors.opcua.allowed-networks=")
class OpcUaAddressPolicyIT extends IntegrationTest {

    private static final String CONNECTORS = "/api/v1/connectors/opcua";

    @Autowired
    OutboundExemptions exemptions;

    @Test
    void endpointsOnInternalAndSpecialPurposeAddressesAreRefusedWith400() {
        Fixture.Member admin = fixture.member(fixture.tenant("OPC UA policy"), "admin");
        Api.Response parked = api.post(
                        CONNECTORS,
                        Map.of("name", "Parked", "endpoint_url", "opc.tcp://8.8.8.8:4840/", "enabled", false))
                .bearer(admin.accessToken())
                .send();
        assertThat(parked.status()).as(parked.toString()).isEqualTo(201);
        String parkedId = parked.json().get("id").asString();
        for (String url : List.of(
                "opc.tcp://127.0.0.1:4840/",
                "opc.tcp://localhost:4840/",
                "opc.tcp://10.1.2.3:4840/",
                "opc.tcp://192.168.0.10:4840/",
                "opc.tcp://169.254.169.254:80/",
                "opc.tcp://192.0.2.1:4840/",
                "opc.tcp://100.64.0.1:4840/",
                "opc.tcp://198.18.0.1:4840/",
                "opc.tcp://0.0.0.0:4840/",
                "opc.tcp://[::1]:4840/",
                "opc.tcp://[::ffff:127.0.0.1]:4840/",
                "opc.tcp://[fd00::2]:4840/")) {
            Api.Response created = api.post(CONNECTORS, Map.of("name", "Probe", "endpoint_url", url))
                    .bearer(admin.accessToken())
                    .send();
            assertThat(created.status()).as("POST %s: %s", url, created).isEqualTo(400);
            assertThat(created.json().get("field").asString()).isEqualTo("endpoint_url");
            Api.Response moved = api.patch(CONNECTORS + "/" + parkedId, Map.of("endpoint_url", url))
                    .bearer(admin.accessToken())
                    .send();
            assertThat(moved.status()).as("PATCH %s: %s", url, moved).isEqualTo(400);
            assertThat(moved.json().get("field").asString()).isEqualTo("endpoint_url");
        }
        assertThat(api.get(CONNECTORS)
                        .bearer(admin.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asLong())
                .isEqualTo(1);
    }

    @Test
    void aLoopbackLineAdmittedForOneTenantIsOutOfReachOfAnother() throws Exception {
        UUID owner = fixture.tenant("OPC UA line owner");
        Fixture.Member admin = fixture.member(owner, "admin");
        Fixture.Member stranger = fixture.member(fixture.tenant("OPC UA line stranger"), "admin");
        OpcUaTestServer line = OpcUaTestServer.start(1);
        InetSocketAddress address = new InetSocketAddress(
                InetAddress.getByName("127.0.0.1"),
                URI.create(line.endpointUrl()).getPort());
        exemptions.admit(TenantId.of(owner), address); // as the demo admits its line for the demo tenant
        try {
            Map<String, Object> body = Map.of(
                    "name",
                    "The line",
                    "endpoint_url",
                    line.endpointUrl(),
                    "mappings",
                    List.of(OpcUaConnectorIT.mapping(line.nodeId("Ramp"), "line-ramp", "ramp")));
            Api.Response created =
                    api.post(CONNECTORS, body).bearer(stranger.accessToken()).send();
            assertThat(created.status())
                    .as("another tenant's loopback line: %s", created)
                    .isEqualTo(400);
            assertThat(created.json().get("field").asString()).isEqualTo("endpoint_url");
            assertThat(created.toString()).doesNotContain("127.0.0.1:" + address.getPort() + " is");
            Api.Response parked = api.post(
                            CONNECTORS,
                            Map.of("name", "Parked", "endpoint_url", "opc.tcp://8.8.8.8:4840/", "enabled", false))
                    .bearer(stranger.accessToken())
                    .send();
            assertThat(api.patch(
                                    CONNECTORS + "/" + parked.json().get("id").asString(),
                                    Map.of("endpoint_url", line.endpointUrl()))
                            .bearer(stranger.accessToken())
                            .send()
                            .status())
                    .isEqualTo(400);

            Api.Response own =
                    api.post(CONNECTORS, body).bearer(admin.accessToken()).send();
            assertThat(own.status()).as(own.toString()).isEqualTo(201);
            String id = own.json().get("id").asString();
            await().atMost(Duration.ofSeconds(30)).until(() -> state(admin, id).equals("connected"));

            // the address is judged again before every connection: withdrawn, the next attempt is refused
            exemptions.revoke(TenantId.of(owner), address);
            line.close();
            line = null;
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            status(admin, id).get("last_error").asString("").equals("address_not_allowed"));
        } finally {
            exemptions.revoke(TenantId.of(owner), address);
            if (line != null) {
                line.close();
            }
        }
    }

    private JsonNode status(Fixture.Member member, String id) {
        return api.get(CONNECTORS + "/" + id + "/status")
                .bearer(member.accessToken())
                .send()
                .json();
    }

    private String state(Fixture.Member member, String id) {
        return status(member, id).get("state").asString();
    }
}
