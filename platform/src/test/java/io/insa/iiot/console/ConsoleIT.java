package io.insa.iiot.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.Mailbox;
import io.insa.iiot.transport.mqtt.MqttTestDevice;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/**
 * The console's promises in a real browser: sign-in, the tenant switcher, what a viewer sees, an alert
 * acknowledged, the live chart fed over MQTT, an invitation accepted through the e-mail's link, forms
 * without a CSRF token refused, and no serious accessibility violation on any page.
 */
@Timeout(120)
class ConsoleIT extends BrowserTest {

    static final List<String> NAVIGATION = List.of(
            "Dashboard", "Devices", "Alerts", "Rules", "Connectors", "Users", "Quotas", "API keys", "Audit log");

    @Autowired
    ApplicationContext context;

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

        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, member);
            assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Dashboard")))
                    .isVisible();
            for (String name : NAVIGATION) {
                assertThat(link(page, name)).isVisible();
            }
            link(page, "Devices").click();
            String tenantShown = page.locator(".tenant strong").textContent();
            boolean inA = tenantShown.contains("Console plant A");
            assertThat(page.getByText(inA ? "pump-of-plant-a" : "press-of-plant-b"))
                    .isVisible();
            assertThat(page.getByText(inA ? "press-of-plant-b" : "pump-of-plant-a"))
                    .hasCount(0);

            switchTo(page, inA ? second : first);
            link(page, "Devices").click();
            assertThat(page.locator(".tenant strong")).containsText(inA ? "Console plant B" : "Console plant A");
            assertThat(page.getByText(inA ? "press-of-plant-b" : "pump-of-plant-a"))
                    .isVisible();
            assertThat(page.getByText(inA ? "pump-of-plant-a" : "press-of-plant-b"))
                    .hasCount(0);
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

        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, viewer);
            page.navigate(url("/console/alerts"));
            page.waitForSelector("text=Boiler too hot", new Page.WaitForSelectorOptions().setTimeout(20_000));
            assertThat(button(page, "Acknowledge")).hasCount(0);
        }
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, operator);
            page.navigate(url("/console/alerts?severity=critical"));
            link(page, "Boiler too hot").click();
            assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Alert: Boiler too hot")))
                    .isVisible();
            assertThat(page.locator("table")).containsText("raised");
            button(page, "Acknowledge").click();
            flashed(page, "Alert acknowledged.");
            assertThat(page.locator("table")).containsText("acknowledged");
            shot(page, "alert");
            page.navigate(url("/console/alerts?status=acknowledged"));
            assertThat(page.getByText("Boiler too hot")).isVisible();
            page.navigate(url("/console/alerts?status=acknowledged&severity=minor"));
            assertThat(page.getByText("Boiler too hot")).hasCount(0);
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
    void aDevicesLiveChartGainsAPointWithinTwoSecondsOfTelemetrySentOverMqtt() {
        Fixture.Member operator = fixture.member(fixture.tenant("Console live"), "operator");
        Fixture.DeviceHandle pump = fixture.device(operator.accessToken(), "live-pump");
        try (var browserContext = newContext();
                MqttTestDevice device = MqttTestDevice.connect(context, pump.token())) {
            device.telemetry("{\"temperature\": 20.5}");
            Page page = browserContext.newPage();
            signIn(page, operator);
            page.navigate(url("/console/devices"));
            link(page, "live-pump").click();
            assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("live-pump")))
                    .isVisible();
            assertThat(page.locator(".notice").allTextContents()).isEmpty();
            var chart = page.locator("#live-chart");
            assertThat(chart).hasAttribute("data-key", "temperature");
            assertThat(chart).hasAttribute("data-points", "1"); // the point already stored
            page.waitForTimeout(500); // the event stream is open
            long sent = System.nanoTime();
            device.telemetry("{\"temperature\": 21.5}");
            page.waitForFunction(
                    "() => Number(document.getElementById('live-chart').dataset.received) >= 1",
                    null,
                    new Page.WaitForFunctionOptions().setTimeout(2_000));
            assertThat((System.nanoTime() - sent) / 1_000_000)
                    .as("ms until the chart drew the point")
                    .isLessThan(2_000);
            assertThat(chart).hasAttribute("data-points", "2");
            shot(page, "device");
        }
    }

    @Test
    void anInvitedNewcomerCreatesTheirAccountThroughTheEmailLinkAndIsSignedIn() {
        UUID tenant = fixture.tenant("Console invitation");
        String email = Fixture.unique("invitee") + "@it.example";
        invite(tenant, email, "viewer");
        String token = Mailbox.invitationToken(email);
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            page.navigate(url("/accept-invite?token=" + token));
            assertThat(page).hasURL(url("/console/accept-invite")); // the token left the address bar
            shot(page, "accept-invite");
            page.getByLabel("Name").fill("Ines Invitee");
            page.getByLabel("Password", new Page.GetByLabelOptions().setExact(true))
                    .fill("a-long-enough-password");
            button(page, "Create my account").click();
            page.waitForURL("**/console/dashboard");
            assertThat(page.getByRole(AriaRole.STATUS)).containsText("Your account is ready");
            assertThat(page.locator(".tenant strong")).hasText("Console invitation");
        }
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, email, "a-long-enough-password");
            assertThat(page.locator(".tenant strong")).hasText("Console invitation");
        }
    }

    @Test
    void anInvitationLinkOpenedAfterTheAccountExistsIsAcceptedByLoggingIn() {
        UUID first = fixture.tenant("Console first home");
        UUID second = fixture.tenant("Console second home");
        String email = Fixture.unique("twice-invited") + "@it.example";
        invite(first, email, "operator");
        String firstToken = Mailbox.invitationToken(email);
        invite(second, email, "viewer");
        String secondToken = Mailbox.invitationToken(email);
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            page.navigate(url("/accept-invite?token=" + firstToken));
            page.getByLabel("Name").fill("Twice Invited");
            page.getByLabel("Password", new Page.GetByLabelOptions().setExact(true))
                    .fill("a-long-enough-password");
            button(page, "Create my account").click();
            page.waitForURL("**/console/dashboard");
        }
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            page.navigate(url("/accept-invite?token=" + secondToken));
            page.getByLabel("Email").fill(email);
            page.getByLabel("Account password").fill("a-long-enough-password");
            button(page, "Log in and accept").click();
            page.waitForURL("**/console/invitations");
            shot(page, "invitations");
            button(page, "Accept the invitation to Console second home").click();
            page.waitForURL("**/console/dashboard");
            assertThat(page.locator(".tenant strong")).hasText("Console second home");
            assertThat(page.locator(".badge.role")).hasText("viewer");
        }
    }

    @Test
    void aMemberInvitedToAnotherTenantFollowsTheEmailsLinkSignsInAndAccepts() {
        Fixture.Member member = fixture.member(fixture.tenant("Console home"), "operator");
        UUID other = fixture.tenant("Console other home");
        invite(other, member.email(), "operator");
        String mail = Mailbox.textsTo(member.email()).getLast();
        String link = mail.lines()
                .map(String::strip)
                .filter(line -> line.endsWith("/console/invitations"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no link to the invitations page in: " + mail));
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            page.navigate(url(link.substring(link.indexOf("/console/"))));
            page.waitForURL("**/console/login");
            page.getByLabel("Email").fill(member.email());
            page.getByLabel("Password").fill(member.password());
            button(page, "Sign in").click();
            page.waitForURL("**/console/invitations");
            button(page, "Accept the invitation to Console other home").click();
            page.waitForURL("**/console/dashboard");
            assertThat(page.locator(".tenant strong")).hasText("Console other home");
        }
    }

    @Test
    void aSystemAdminInsideATenantIsFlagged() {
        UUID tenant = fixture.tenant("Console flagged");
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
            switchTo(page, tenant);
            assertThat(page.locator(".tenant strong")).hasText("Console flagged");
            assertThat(page.getByText("System admin inside this tenant")).isVisible();
            assertThat(page.locator("header.bar-admin")).hasCount(1);
            shot(page, "system-admin-inside");
        }
        Api.Response audit = api.get("/api/v1/audit?action=auth.switch_tenant&target_id=" + tenant)
                .bearer(fixture.adminToken())
                .send();
        assertThat(audit.json().get("total").asLong()).as("entering is audited").isPositive();
    }

    @Test
    void aWrongPasswordIsRefusedAndAFormWithoutItsCsrfTokenIsRefused() throws Exception {
        Fixture.Member member = fixture.member(fixture.tenant("Console csrf"), "admin");
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            page.navigate(url("/console/login"));
            page.getByLabel("Email").fill(member.email());
            page.getByLabel("Password").fill("not-the-password");
            button(page, "Sign in").click();
            assertThat(page.getByRole(AriaRole.ALERT)).isVisible();
            shot(page, "login-refused");

            signIn(page, member);
            var forged = page.request()
                    .post(
                            url("/console/devices"),
                            com.microsoft.playwright.options.RequestOptions.create()
                                    .setForm(com.microsoft.playwright.options.FormData.create()
                                            .set("name", "forged-device")));
            assertThat(forged.status()).as("signed in, but no CSRF token").isEqualTo(403);
        }
        assertThat(api.get("/api/v1/devices?name=forged-device")
                        .bearer(member.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asLong())
                .isZero();
        HttpResponse<String> forgedSignIn = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url("/console/login")))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "email=" + member.email() + "&password=" + member.password()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(forgedSignIn.statusCode()).as("no CSRF token, no sign-in").isEqualTo(403);
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
    void noPageHasASeriousAccessibilityViolation() {
        UUID tenant = fixture.tenant("Console a11y");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), "a11y-device");
        fixture.telemetry(device.token(), Map.of("temperature", 99));
        String rule = api.post(
                        "/api/v1/rules",
                        Map.of(
                                "name", "a11y rule",
                                "severity", "major",
                                "key", "temperature",
                                "condition", Map.of("type", "threshold", "operator", ">", "value", 1000)))
                .bearer(admin.accessToken())
                .send()
                .json()
                .get("id")
                .asString();
        String connector = api.post(
                        "/api/v1/connectors/opcua",
                        Map.of("name", "a11y line", "endpoint_url", "opc.tcp://127.0.0.1:1/none"))
                .bearer(admin.accessToken())
                .send()
                .json()
                .get("id")
                .asString();
        String axe = axe();
        try (var browserContext = browser.newContext(options().setBypassCSP(true))) {
            Page page = browserContext.newPage();
            page.navigate(url("/console/login"));
            assertThat(serious(page, axe)).as("login").isEmpty();
            page.navigate(url("/console/accept-invite"));
            assertThat(serious(page, axe)).as("accept-invite").isEmpty();
            signIn(page, admin);
            for (String path : List.of(
                    "dashboard",
                    "dashboard?key=temperature&device=" + device.id(),
                    "devices",
                    "devices/" + device.id(),
                    "devices/import",
                    "alerts",
                    "rules",
                    "rules/new",
                    "rules/" + rule,
                    "connectors",
                    "connectors/" + connector,
                    "users",
                    "quotas",
                    "api-keys",
                    "audit",
                    "invitations",
                    "security")) {
                page.navigate(url("/console/" + path));
                assertThat(serious(page, axe)).as(path).isEmpty();
                shot(page, path.replaceAll("[^a-z0-9-]+", "_"));
            }
        }
        try (var browserContext = browser.newContext(options().setBypassCSP(true))) {
            Page page = browserContext.newPage();
            signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
            page.navigate(url("/console/tenants"));
            assertThat(serious(page, axe)).as("tenants").isEmpty();
            shot(page, "tenants");
        }
    }

    private void invite(UUID tenant, String email, String role) {
        Api.Response invite = api.post(
                        "/api/v1/tenants/" + tenant + "/users/invite", Map.of("email", email, "role", role))
                .bearer(fixture.adminToken())
                .send();
        assertThat(invite.status()).as(invite.toString()).isEqualTo(201);
    }
}
