package io.insa.iiot.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The console in a real browser (Playwright driving Debian's headless Chromium): sign-in, the tenant
 * switcher, what a viewer sees, acknowledging an alert, and forms without a CSRF token refused.
 * Screenshots of each page go to target/console-screenshots.
 */
@Timeout(120)
class ConsoleIT extends IntegrationTest {

    private static final Path SHOTS = Path.of("target", "console-screenshots");
    private static Playwright playwright;
    private static Browser browser;

    @BeforeAll
    static void browser() {
        playwright = Playwright.create(
                new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright
                .chromium()
                .launch(new BrowserType.LaunchOptions()
                        .setExecutablePath(Paths.get("/usr/bin/chromium"))
                        .setHeadless(true)
                        .setArgs(List.of("--no-sandbox")));
    }

    @AfterAll
    static void close() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    @Test
    void aMemberOfTwoTenantsSwitchesAndSeesOnlyThatTenantsDevices() {
        UUID first = fixture.tenant("Console plant A");
        UUID second = fixture.tenant("Console plant B");
        Fixture.Member member = fixture.member(first, "operator");
        fixture.addExisting(second, member, "viewer");
        Fixture.Member adminA = fixture.member(first, "admin");
        Fixture.Member adminB = fixture.member(second, "admin");
        fixture.device(adminA.accessToken(), "pump-of-plant-a");
        fixture.device(adminB.accessToken(), "press-of-plant-b");

        try (var context = newContext()) {
            Page page = context.newPage();
            signIn(page, member);
            assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Dashboard")))
                    .isVisible();
            for (String link : List.of(
                    "Dashboard",
                    "Devices",
                    "Alerts",
                    "Rules",
                    "Connectors",
                    "Users",
                    "Quotas",
                    "API keys",
                    "Audit log")) {
                assertThat(page.getByRole(
                                AriaRole.LINK,
                                new Page.GetByRoleOptions().setName(link).setExact(true)))
                        .isVisible();
            }
            page.getByRole(
                            AriaRole.LINK,
                            new Page.GetByRoleOptions().setName("Devices").setExact(true))
                    .click();
            String tenantShown = page.locator(".tenant strong").textContent();
            boolean inA = tenantShown.contains("Console plant A");
            assertThat(page.getByText(inA ? "pump-of-plant-a" : "press-of-plant-b"))
                    .isVisible();
            assertThat(page.getByText(inA ? "press-of-plant-b" : "pump-of-plant-a"))
                    .hasCount(0);
            shot(page, "devices");

            page.getByLabel("Tenant").selectOption(inA ? second.toString() : first.toString());
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Switch"))
                    .click();
            page.getByRole(
                            AriaRole.LINK,
                            new Page.GetByRoleOptions().setName("Devices").setExact(true))
                    .click();
            assertThat(page.locator(".tenant strong")).containsText(inA ? "Console plant B" : "Console plant A");
            assertThat(page.getByText(inA ? "press-of-plant-b" : "pump-of-plant-a"))
                    .isVisible();
            assertThat(page.getByText(inA ? "pump-of-plant-a" : "press-of-plant-b"))
                    .hasCount(0);
            for (String name :
                    List.of("dashboard", "alerts", "rules", "connectors", "users", "quotas", "api-keys", "audit")) {
                page.navigate(url("/console/" + name));
                shot(page, name);
            }
        }
    }

    @Test
    void anAlertAppearsAndIsAcknowledgedAndAViewerHasNoButtonToDoIt() {
        UUID tenant = fixture.tenant("Console alerts");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.Member operator = fixture.member(tenant, "operator");
        Fixture.Member viewer = fixture.member(tenant, "viewer");
        Fixture.DeviceHandle boiler = fixture.device(admin.accessToken(), "boiler-7");
        Api.Response rule = api.post(
                        "/api/v1/rules",
                        Map.of(
                                "name", "Boiler too hot",
                                "severity", "critical",
                                "key", "temperature",
                                "condition", Map.of("type", "threshold", "operator", ">", "value", 90)))
                .bearer(admin.accessToken())
                .send();
        assertThat(rule.status()).isEqualTo(201);
        assertThat(fixture.telemetry(boiler.token(), Map.of("temperature", 95)).status())
                .isEqualTo(200);

        try (var context = newContext()) {
            Page page = context.newPage();
            signIn(page, viewer);
            page.navigate(url("/console/alerts"));
            page.waitForSelector("text=Boiler too hot", new Page.WaitForSelectorOptions().setTimeout(20_000));
            assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Acknowledge")))
                    .hasCount(0);
        }
        try (var context = newContext()) {
            Page page = context.newPage();
            signIn(page, operator);
            page.navigate(url("/console/alerts"));
            assertThat(page.getByText("Boiler too hot")).isVisible();
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Acknowledge"))
                    .click();
            page.navigate(url("/console/alerts?status=acknowledged"));
            assertThat(page.getByText("Boiler too hot")).isVisible();
            shot(page, "alerts-acknowledged");
        }
        assertThat(api.get("/api/v1/alerts?status=acknowledged")
                        .bearer(admin.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asLong())
                .isEqualTo(1);
    }

    @Test
    void aDevicesLiveChartGainsAPointWithinTwoSecondsOfTelemetry() {
        Fixture.Member operator = fixture.member(fixture.tenant("Console live"), "operator");
        Fixture.DeviceHandle pump = fixture.device(operator.accessToken(), "live-pump");
        assertThat(fixture.telemetry(pump.token(), Map.of("temperature", 20.5)).status())
                .isEqualTo(200);
        try (var context = newContext()) {
            Page page = context.newPage();
            signIn(page, operator);
            page.navigate(url("/console/devices"));
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("live-pump"))
                    .click();
            assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("live-pump")))
                    .isVisible();
            var chart = page.locator("#live-chart");
            assertThat(chart).hasAttribute("data-key", "temperature");
            page.waitForTimeout(500); // the event stream is open
            long sent = System.nanoTime();
            assertThat(fixture.telemetry(pump.token(), Map.of("temperature", 21.5))
                            .status())
                    .isEqualTo(200);
            page.waitForFunction(
                    "() => Number(document.getElementById('live-chart').dataset.points) >= 1",
                    null,
                    new Page.WaitForFunctionOptions().setTimeout(2_000));
            assertThat((System.nanoTime() - sent) / 1_000_000)
                    .as("ms until the chart drew the point")
                    .isLessThan(2_000);
            shot(page, "device");
        }
    }

    @Test
    void anInvitedUserAcceptsThroughTheEmailLinkAndSignsIn() {
        UUID tenant = fixture.tenant("Console invitation");
        String email = Fixture.unique("invitee") + "@it.example";
        Api.Response invite = api.post(
                        "/api/v1/tenants/" + tenant + "/users/invite", Map.of("email", email, "role", "viewer"))
                .bearer(fixture.adminToken())
                .send();
        assertThat(invite.status()).as(invite.toString()).isEqualTo(201);
        String token = io.insa.iiot.support.Mailbox.invitationToken(email);
        try (var context = newContext()) {
            Page page = context.newPage();
            page.navigate(url("/accept-invite?token=" + token));
            page.getByLabel("Name").fill("Ines Invitee");
            page.getByLabel("Password").fill("a-long-enough-password");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create my account"))
                    .click();
            assertThat(page.getByRole(AriaRole.STATUS)).containsText("Your account is ready");
            page.navigate(url("/console/login"));
            page.getByLabel("Email").fill(email);
            page.getByLabel("Password").fill("a-long-enough-password");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in"))
                    .click();
            page.waitForURL("**/console/dashboard");
            assertThat(page.locator(".tenant strong")).hasText("Console invitation");
        }
    }

    @Test
    void aSystemAdminInsideATenantIsFlagged() {
        UUID tenant = fixture.tenant("Console flagged");
        try (var context = newContext()) {
            Page page = context.newPage();
            page.navigate(url("/console/login"));
            page.getByLabel("Email").fill(ADMIN_EMAIL);
            page.getByLabel("Password").fill(ADMIN_PASSWORD);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in"))
                    .click();
            page.waitForURL("**/console/dashboard");
            page.getByLabel("Tenant").selectOption(tenant.toString());
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Switch"))
                    .click();
            page.waitForURL("**/console/dashboard");
            assertThat(page.locator(".tenant strong")).hasText("Console flagged");
            assertThat(page.getByText("System admin inside this tenant")).isVisible();
            assertThat(page.locator("header.bar-admin")).hasCount(1);
            shot(page, "system-admin-inside");
        }
        io.insa.iiot.support.Api.Response audit = api.get("/api/v1/audit?action=auth.switch_tenant&target_id=" + tenant)
                .bearer(fixture.adminToken())
                .send();
        assertThat(audit.json().get("total").asLong()).as("entering is audited").isPositive();
    }

    @Test
    void anAdminCreatesADeviceAndAnApiKeyInvitesAUserAndDisablesARuleWhereAViewerHasNoControls() {
        UUID tenant = fixture.tenant("Console admin");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.Member viewer = fixture.member(tenant, "viewer");
        api.post(
                        "/api/v1/rules",
                        Map.of(
                                "name", "Console rule",
                                "severity", "minor",
                                "key", "temperature",
                                "condition", Map.of("type", "threshold", "operator", ">", "value", 1000)))
                .bearer(admin.accessToken())
                .send();
        try (var context = newContext()) {
            Page page = context.newPage();
            signIn(page, viewer);
            for (String name : List.of("devices", "rules", "api-keys", "users")) {
                page.navigate(url("/console/" + name));
                for (String control : List.of("Create device", "Disable", "Create API key", "Invite")) {
                    assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(control)))
                            .hasCount(0);
                }
            }
        }
        try (var context = newContext()) {
            Page page = context.newPage();
            signIn(page, admin);
            page.navigate(url("/console/devices"));
            page.getByLabel("Device name").fill("made-in-console");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create device"))
                    .click();
            assertThat(page.locator(".flash")).containsText("access token, shown this once");
            assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("made-in-console")))
                    .isVisible();
            page.reload();
            assertThat(page.locator(".flash")).hasCount(0);

            page.navigate(url("/console/api-keys"));
            page.getByLabel("Key name").fill("console-key");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create API key"))
                    .click();
            assertThat(page.locator(".flash")).containsText("iiot_");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Revoke console-key"))
                    .click();
            assertThat(page.locator(".flash")).containsText("revoked");

            page.navigate(url("/console/users"));
            String invitee = Fixture.unique("console-invitee") + "@it.example";
            page.getByLabel("Email address").fill(invitee);
            page.getByLabel("Role").selectOption("operator");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Invite"))
                    .click();
            assertThat(page.locator(".flash")).containsText(invitee);

            page.navigate(url("/console/rules"));
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Disable"))
                    .click();
            assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Enable")))
                    .isVisible();
        }
        assertThat(api.get("/api/v1/rules")
                        .bearer(admin.accessToken())
                        .send()
                        .json()
                        .at("/items/0/enabled")
                        .asBoolean())
                .isFalse();
        assertThat(api.get("/api/v1/devices?name=made-in-console")
                        .bearer(admin.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asLong())
                .isEqualTo(1);
    }

    @Test
    void aWrongPasswordIsRefusedAndAFormWithoutItsCsrfTokenIsRefused() throws Exception {
        Fixture.Member member = fixture.member(fixture.tenant("Console csrf"), "admin");
        try (var context = newContext()) {
            Page page = context.newPage();
            page.navigate(url("/console/login"));
            page.getByLabel("Email").fill(member.email());
            page.getByLabel("Password").fill("not-the-password");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in"))
                    .click();
            assertThat(page.getByRole(AriaRole.ALERT)).isVisible();
            shot(page, "login-refused");
        }
        HttpResponse<String> forged = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url("/console/login")))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "email=" + member.email() + "&password=" + member.password()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).as("no CSRF token, no sign-in").isEqualTo(403);
        HttpResponse<String> page = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url("/console/dashboard")))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).as("not signed in: sent to sign in").isEqualTo(302);
        assertThat(page.headers().firstValue("Location").orElse("")).endsWith("/console/login");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                .contains("script-src 'self'");
    }

    @Test
    void noPageHasASeriousAccessibilityViolation() throws Exception {
        UUID tenant = fixture.tenant("Console a11y");
        Fixture.Member admin = fixture.member(tenant, "admin");
        fixture.device(admin.accessToken(), "a11y-device");
        String axe;
        try (var in = getClass().getResourceAsStream("/META-INF/resources/webjars/axe-core/4.6.3/axe.min.js")) {
            axe = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        // axe is injected by the test, which the console's strict CSP would otherwise refuse
        try (var context = browser.newContext(options().setBypassCSP(true))) {
            Page page = context.newPage();
            page.navigate(url("/console/login"));
            page.addScriptTag(new Page.AddScriptTagOptions().setContent(axe));
            assertThat(serious(page)).as("login").isEmpty();
            signIn(page, admin);
            for (String name : List.of(
                    "dashboard", "devices", "alerts", "rules", "connectors", "users", "quotas", "api-keys", "audit")) {
                page.navigate(url("/console/" + name));
                page.addScriptTag(new Page.AddScriptTagOptions().setContent(axe));
                assertThat(serious(page)).as(name).isEmpty();
            }
        }
    }

    /** The serious and critical violations axe-core finds on the page, as "rule: target" lines. */
    @SuppressWarnings("unchecked")
    private static List<String> serious(Page page) {
        return (List<String>) page.evaluate("""
                async () => (await axe.run()).violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ')))""");
    }

    /** A browser of its own client address: login throttles count per address, as for people. */
    private static BrowserContext newContext() {
        return browser.newContext(options());
    }

    private static Browser.NewContextOptions options() {
        return new Browser.NewContextOptions().setExtraHTTPHeaders(Map.of("X-Forwarded-For", Fixture.freshIp()));
    }

    private void signIn(Page page, Fixture.Member member) {
        page.navigate(url("/console/login"));
        page.getByLabel("Email").fill(member.email());
        page.getByLabel("Password").fill(member.password());
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in"))
                .click();
        page.waitForURL("**/console/dashboard");
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private static void shot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions()
                .setPath(SHOTS.resolve(name + ".png"))
                .setFullPage(true));
    }
}
