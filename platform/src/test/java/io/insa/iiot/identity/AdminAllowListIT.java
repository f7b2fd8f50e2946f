package io.insa.iiot.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insa.iiot.console.ConsoleClient;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.test.context.TestPropertySource;

/**
 * A system admin acts only from the allowed networks, and the address is the client's as a trusted
 * proxy forwarded it; a client that is not a trusted proxy cannot choose its address with the header.
 */
@Timeout(60)
// loopback stays allowed: the test fixture acts as the system admin from there
@TestPropertySource(properties = "insa.security.admin-allowed-cidrs=10.9.0.0/16, fd00:9::/32, 127.0.0.1/32")
class AdminAllowListIT extends IntegrationTest {

    @Test
    void aSystemAdminIsServedFromAnAllowedNetworkOnlyAndOthersEverywhere() {
        String admin = fixture.adminToken();
        assertThat(api.get("/api/v1/tenants")
                        .bearer(admin)
                        .from("10.9.1.2")
                        .send()
                        .status())
                .isEqualTo(200);
        assertThat(api.get("/api/v1/tenants")
                        .bearer(admin)
                        .from("fd00:9::1")
                        .send()
                        .status())
                .as("IPv6")
                .isEqualTo(200);
        var refused =
                api.get("/api/v1/tenants").bearer(admin).from("203.0.113.5").send();
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.json().get("detail").asString())
                .contains("insa.security.admin-allowed-cidrs")
                .contains("203.0.113.5");
        assertThat(api.get("/api/v1/tenants")
                        .bearer(admin)
                        .from("192.0.2.1, 10.9.1.2")
                        .send()
                        .status())
                .as("the right-most address not a trusted proxy is the client")
                .isEqualTo(200);

        Fixture.Member member = fixture.member(fixture.tenant("Allow-list"), "admin");
        assertThat(api.get("/api/v1/auth/me")
                        .bearer(member.accessToken())
                        .from("203.0.113.5")
                        .send()
                        .status())
                .as("the allow-list is about system admins")
                .isEqualTo(200);
    }

    @Test
    void aClientThatIsNotATrustedProxyCannotChooseItsAddress() throws Exception {
        String admin = fixture.adminToken();
        // 127.0.0.2 is loopback too, but only 127.0.0.1 is a trusted proxy here
        HttpClient untrusted = HttpClient.newBuilder()
                .localAddress(InetAddress.getByName("127.0.0.2"))
                .build();
        HttpResponse<String> spoofed = untrusted.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/tenants"))
                        .header("Authorization", "Bearer " + admin)
                        .header("X-Forwarded-For", "10.9.1.2")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(spoofed.statusCode()).isEqualTo(403);
        assertThat(spoofed.body()).contains("127.0.0.2");
    }

    @Test
    void aSystemAdminsConsoleImportIsJudgedByTheBrowsersAddressNotTheConsoles() {
        UUID tenant = fixture.tenant("Allow-list import");
        Fixture.Member member = fixture.member(tenant, "admin");
        ConsoleClient console = new ConsoleClient(port, "10.9.1.2");
        console.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        assertThat(console.post("/console/tenant", Map.of("tenant_id", tenant.toString()))
                        .statusCode())
                .isEqualTo(302);

        console.from("203.0.113.9"); // the same session, from an address the allow-list does not name
        HttpResponse<String> started = console.upload(
                "/console/devices/import", "file", "devices.csv", "name,type\nfar-1,meter\nfar-2,meter\n");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(302);
        String progress = URI.create(started.headers().firstValue("Location").orElseThrow())
                        .getPath()
                + "/progress";
        String[] shown = new String[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            shown[0] = console.get(progress).body();
            return !shown[0].contains("\u2026"); // "…" while the import runs
        });

        assertThat(shown[0]).as("the import's progress").contains("The import stopped");
        assertThat(api.get("/api/v1/devices")
                        .bearer(member.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asLong())
                .as("devices the import created")
                .isZero();
    }
}
