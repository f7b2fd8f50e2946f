package io.insa.iiot.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import io.insa.iiot.IiotApplication;
import io.insa.iiot.console.BrowserTest;
import io.insa.iiot.support.Api;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * {@code --demo} as a newcomer meets it: a platform started with it has, within two minutes, its demo
 * devices online, their points stored (over MQTT and through the OPC UA connector) and an alert raised,
 * all seen through the API with the printed credentials; its dashboard is photographed for the README.
 * Stopped, it leaves no load: the points stop and the connector is disabled.
 */
@ExtendWith(OutputCaptureExtension.class)
class DemoIT extends BrowserTest {

    private static final Duration WITHIN = Duration.ofMinutes(2);

    @Test
    @Timeout(300)
    void aDemoStartShowsDevicesOnlinePointsStoredAndAnAlertWithinTwoMinutesAndLeavesNoLoadWhenStopped(
            CapturedOutput output) throws Exception {
        Path dataDir = Files.createTempDirectory("insa-demo-it");
        String slug = "demo-" + UUID.randomUUID().toString().substring(0, 8);
        Instant started = Instant.now();
        String email = "admin@" + slug + ".local";
        String password;
        Map<String, String> ids;
        try (ConfigurableApplicationContext platform = startWithDemo(dataDir, slug)) {
            Api demo = new Api(
                    ((WebServerApplicationContext) platform).getWebServer().getPort());
            Path passwordFile = dataDir.resolve(DemoSetup.PASSWORD_FILE);
            await().atMost(WITHIN).until(() -> Files.exists(passwordFile));
            password = Files.readString(passwordFile).strip();
            await().atMost(WITHIN).until(() -> output.getAll().contains(passwordFile.toString()));
            assertThat(output.getAll())
                    .as("the log names the password's file, never the password")
                    .doesNotContain(password);
            String token = demo.post("/api/v1/auth/login", Map.of("email", email, "password", password))
                    .send()
                    .json()
                    .get("access_token")
                    .asString();
            String tenant = demo.get("/api/v1/auth/me")
                    .bearer(token)
                    .send()
                    .json()
                    .at("/tenant/id")
                    .asString();
            String bearer = token;
            ids = await().atMost(WITHIN).until(() -> devices(demo, bearer), d -> d.size() == 50);

            await().atMost(WITHIN.minus(Duration.between(started, Instant.now())))
                    .untilAsserted(() -> {
                        JsonNode stats = demo.get("/api/v1/tenants/" + tenant + "/stats")
                                .bearer(bearer)
                                .send()
                                .json();
                        assertThat(stats.at("/devices/total").asInt()).isEqualTo(50);
                        assertThat(stats.at("/devices/online").asInt())
                                .as("the 45 MQTT devices")
                                .isGreaterThanOrEqualTo(45);
                        assertThat(latest(demo, bearer, ids.get("pump-01")))
                                .containsKeys("flow_m3h", "pressure_bar", "bearing_temp_c", "vibration_mm_s");
                        assertThat(latest(demo, bearer, ids.get("tank-01"))).containsKeys("level_pct", "temperature_c");
                        assertThat(latest(demo, bearer, ids.get("station-01")))
                                .as("read by the OPC UA connector from the demo's line")
                                .containsKeys("speed_m_min", "temperature_c");
                        JsonNode alerts = demo.get("/api/v1/alerts?status=active")
                                .bearer(bearer)
                                .send()
                                .json()
                                .get("items");
                        assertThat(alerts.valueStream()
                                        .map(a -> a.get("rule_name").asString()))
                                .as("the first fault: a pressure spike on a pump, 30 s after start")
                                .contains("Pump discharge pressure spike");
                    });
            await().atMost(WITHIN.minus(Duration.between(started, Instant.now())))
                    .untilAsserted(() -> assertThat(
                                    demo.get("/api/v1/alerts?status=active&device_id=" + ids.get("pump-03"))
                                            .bearer(bearer)
                                            .send()
                                            .json()
                                            .get("items")
                                            .valueStream()
                                            .map(a -> a.get("rule_name").asString()))
                            .as("the second: pump-03's bearing drifting past 80 °C for 15 s")
                            .contains("Pump bearing overheating"));
            // the line is admitted for the demo tenant alone: another tenant's connector cannot reach it
            String line = demo.get("/api/v1/connectors/opcua")
                    .bearer(bearer)
                    .send()
                    .json()
                    .at("/items/0/endpoint_url")
                    .asString();
            String root = demo.post("/api/v1/auth/login", Map.of("email", ADMIN_EMAIL, "password", ADMIN_PASSWORD))
                    .send()
                    .json()
                    .get("access_token")
                    .asString();
            String other = demo.post("/api/v1/tenants", Map.of("name", "Not the demo", "slug", "not-" + slug))
                    .bearer(root)
                    .send()
                    .json()
                    .get("id")
                    .asString();
            String inOther = demo.post("/api/v1/auth/switch-tenant", Map.of("tenant_id", other))
                    .bearer(root)
                    .send()
                    .json()
                    .get("access_token")
                    .asString();
            Api.Response stolen = demo.post(
                            "/api/v1/connectors/opcua", Map.of("name", "The demo's line", "endpoint_url", line))
                    .bearer(inOther)
                    .send();
            assertThat(stolen.status()).as(stolen.toString()).isEqualTo(400);
            assertThat(stolen.json().get("field").asString()).isEqualTo("endpoint_url");

            assertThat(demo.get("/api/v1/analytics/anomaly")
                            .bearer(bearer)
                            .send()
                            .json()
                            .get("enabled")
                            .asBoolean())
                    .isTrue();

            screenshotOfTheDashboard(demo, email, password, ids);
        }

        // stopped: the demo's connector is disabled and its devices publish no more (seen from the other
        // instance, which has a signing key of its own)
        String token = api.post("/api/v1/auth/login", Map.of("email", email, "password", password))
                .send()
                .json()
                .get("access_token")
                .asString();
        JsonNode connector = api.get("/api/v1/connectors/opcua")
                .bearer(token)
                .send()
                .json()
                .get("items")
                .get(0);
        assertThat(connector.get("enabled").asBoolean()).isFalse();
        JsonNode last = api.get("/api/v1/devices/" + ids.get("pump-01") + "/telemetry/latest")
                .bearer(token)
                .send()
                .json();
        Thread.sleep(12_000); // more than two publishing intervals
        assertThat(api.get("/api/v1/devices/" + ids.get("pump-01") + "/telemetry/latest")
                        .bearer(token)
                        .send()
                        .json())
                .isEqualTo(last);
    }

    private ConfigurableApplicationContext startWithDemo(Path dataDir, String slug) throws Exception {
        Map<String, String> properties = new HashMap<>(platformProperties());
        properties.put("server.port", "0");
        properties.put("insa.data-dir", dataDir.toString());
        properties.put("insa.demo.tenant-slug", slug);
        // as installed: no allow-list, the demo's line is admitted for the demo tenant alone
        properties.put("insa.connectors.opcua.allowed-networks", "");
        try (ServerSocket free = new ServerSocket(0)) {
            properties.put("insa.mqtt.port", Integer.toString(free.getLocalPort()));
        }
        List<String> args = new ArrayList<>(properties.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toList());
        args.add("--demo");
        return new SpringApplicationBuilder(IiotApplication.class)
                .run(IiotApplication.arguments(args.toArray(String[]::new)));
    }

    private static Map<String, String> devices(Api demo, String token) {
        return demo.get("/api/v1/devices?size=100")
                .bearer(token)
                .send()
                .json()
                .get("items")
                .valueStream()
                .collect(Collectors.toMap(
                        d -> d.get("name").asString(), d -> d.get("id").asString()));
    }

    private static Map<String, JsonNode> latest(Api demo, String token, String device) {
        JsonNode latest = demo.get("/api/v1/devices/" + device + "/telemetry/latest")
                .bearer(token)
                .send()
                .json();
        Map<String, JsonNode> values = new HashMap<>();
        latest.get("values").properties().forEach(e -> values.put(e.getKey(), e.getValue()));
        return values;
    }

    /** The dashboard as the README shows it: the four first pumps' bearing temperatures, one drifting. */
    private static void screenshotOfTheDashboard(Api demo, String email, String password, Map<String, String> ids) {
        String base = demo.base();
        try (BrowserContext browser = newContext()) {
            Page page = browser.newPage();
            page.setViewportSize(1280, 860);
            page.navigate(base + "/console/login");
            page.getByLabel("Email").fill(email);
            page.getByLabel("Password").fill(password);
            button(page, "Sign in").click();
            page.waitForURL("**/console/dashboard");
            String pumps = List.of("pump-01", "pump-02", "pump-03", "pump-04").stream()
                    .map(name -> "&device=" + ids.get(name))
                    .collect(Collectors.joining());
            page.navigate(base + "/console/dashboard?key=bearing_temp_c" + pumps);
            assertThat(page.locator("#live-chart").getAttribute("data-points"))
                    .as("the chart starts from the points stored so far")
                    .isNotEqualTo("0");
            page.waitForTimeout(6_000); // and gains live ones
            shot(page, "demo-dashboard");
        }
    }
}
