package io.insa.iiot.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.FilePayload;
import io.insa.iiot.identity.Totp;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.transport.mqtt.MqttTestDevice;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/**
 * What each page lets each role do, driven in the browser and checked through the API: importing
 * devices with progress, rules with the API's validation messages, members and invitations, commands
 * and token rotation, audit export, tenants and quotas, and the dashboard's live chart.
 */
@Timeout(120)
class ConsolePagesIT extends BrowserTest {

    @Autowired
    ApplicationContext context;

    @Test
    void anOperatorImportsDevicesFromCsvAndWatchesTheProgress() {
        Fixture.Member operator = fixture.member(fixture.tenant("Console import"), "operator");
        String csv = "name,type,labels\n"
                + IntStream.range(0, 600)
                        .mapToObj(i -> "imported-" + i + ",meter,line=" + (i % 3))
                        .collect(Collectors.joining("\n"));
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, operator);
            page.navigate(url("/console/devices"));
            link(page, "Import from CSV").click();
            page.getByLabel("CSV file")
                    .setInputFiles(new FilePayload("devices.csv", "text/csv", csv.getBytes(StandardCharsets.UTF_8)));
            button(page, "Import").click();
            assertThat(page.getByLabel("Import progress")).isVisible();
            assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.STATUS))
                    .containsText(
                            "600 of 600 devices imported: done.",
                            new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions()
                                    .setTimeout(30_000));
            assertThat(page.locator("#import-bar")).hasAttribute("value", "100");
            shot(page, "device-import");
            var download = page.waitForDownload(
                    () -> link(page, "Download the access tokens (CSV, once)").click());
            try (var in = download.createReadStream()) {
                List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .toList();
                assertThat(lines).hasSize(601);
                assertThat(lines.getFirst()).isEqualTo("name,id,access_token");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        assertThat(api.get("/api/v1/devices?type=meter&label=line:2")
                        .bearer(operator.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asLong())
                .isEqualTo(200);
    }

    @Test
    void aCsvImportReachesTheApiWithTheBrowsersAddressAsTheAuditLogShows() {
        Fixture.Member admin = fixture.member(fixture.tenant("Console import address"), "admin");
        String browserAddress = Fixture.freshIp();
        String csv = "name,type\n"
                + IntStream.range(0, 300)
                        .mapToObj(i -> "addressed-" + i + ",meter")
                        .collect(Collectors.joining("\n"));
        try (var browserContext = browser.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                .setExtraHTTPHeaders(Map.of("X-Forwarded-For", browserAddress)))) {
            Page page = browserContext.newPage();
            signIn(page, admin);
            page.navigate(url("/console/devices/import"));
            page.getByLabel("CSV file")
                    .setInputFiles(new FilePayload("devices.csv", "text/csv", csv.getBytes(StandardCharsets.UTF_8)));
            button(page, "Import").click();
            assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.STATUS))
                    .containsText(
                            "300 of 300 devices imported: done.",
                            new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions()
                                    .setTimeout(30_000));
        }
        var created = api.get("/api/v1/audit?action=device.create")
                .bearer(admin.accessToken())
                .send()
                .json()
                .get("items");
        assertThat(created).as("one entry per chunk of the import").hasSize(2);
        assertThat(created.valueStream().map(e -> e.get("client_ip").asString()))
                .as("the client address the audit log recorded for the import's chunks")
                .containsOnly(browserAddress);
    }

    @Test
    void anImportBeyondTheDeviceQuotaStopsWithTheApisReason() {
        UUID tenant = fixture.tenant("Console import quota");
        api.patch("/api/v1/tenants/" + tenant, Map.of("max_devices", 300))
                .bearer(fixture.adminToken())
                .send();
        Fixture.Member admin = fixture.member(tenant, "admin");
        String csv = "name,type\n"
                + IntStream.range(0, 400).mapToObj(i -> "over-" + i + ",meter").collect(Collectors.joining("\n"));
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, admin);
            page.navigate(url("/console/devices/import"));
            page.getByLabel("CSV file")
                    .setInputFiles(new FilePayload("devices.csv", "text/csv", csv.getBytes(StandardCharsets.UTF_8)));
            button(page, "Import").click();
            assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.ALERT))
                    .containsText(
                            "The import stopped",
                            new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions()
                                    .setTimeout(30_000));
            assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.STATUS))
                    .containsText("250 of 400 devices imported");
        }
        assertThat(api.get("/api/v1/devices")
                        .bearer(admin.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asLong())
                .isEqualTo(250);
    }

    @Test
    void anAdminWritesARuleSeesTheApisValidationMessageAndEditsIt() {
        Fixture.Member admin = fixture.member(fixture.tenant("Console rules"), "admin");
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, admin);
            page.navigate(url("/console/rules"));
            link(page, "New rule").click();
            page.getByLabel("Name").fill("Motor hot");
            page.getByLabel("Telemetry key").fill("temperature");
            page.getByLabel("Value").fill("hot");
            button(page, "Save rule").click();
            assertThat(page.locator(".problem")).containsText("condition.value");
            assertThat(page.getByLabel("Name")).hasValue("Motor hot"); // kept as typed
            page.getByLabel("Value").fill("80");
            page.getByLabel("For at least (seconds, threshold and range)").fill("30");
            button(page, "Save rule").click();
            flashed(page, "Rule Motor hot created.");

            link(page, "Edit Motor hot").click();
            assertThat(page.getByLabel("Value")).hasValue("80");
            page.getByLabel("Name").fill("Motor very hot");
            page.getByLabel("Value").fill("95");
            button(page, "Save rule").click();
            flashed(page, "Rule Motor very hot saved.");
        }
        var rule = api.get("/api/v1/rules")
                .bearer(admin.accessToken())
                .send()
                .json()
                .at("/items/0");
        assertThat(rule.get("name").asString()).isEqualTo("Motor very hot");
        assertThat(rule.at("/condition/value").asDouble()).isEqualTo(95);
        assertThat(rule.at("/condition/duration_s").asLong()).isEqualTo(30);
    }

    @Test
    void anAdminChangesARoleRemovesAMemberAndSeesPendingInvitations() {
        UUID tenant = fixture.tenant("Console members");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.Member viewer = fixture.member(tenant, "viewer");
        Fixture.Member leaving = fixture.member(tenant, "operator");
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, viewer);
            page.navigate(url("/console/users"));
            assertThat(button(page, "Remove " + leaving.email())).hasCount(0);
            assertThat(page.getByText("Pending invitations")).hasCount(0);
        }
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, admin);
            page.navigate(url("/console/users"));
            page.getByLabel("Role of " + viewer.email(), new Page.GetByLabelOptions().setExact(true))
                    .selectOption("operator");
            button(page, "Change role of " + viewer.email()).click();
            flashed(page, "Role changed to operator.");
            button(page, "Remove " + leaving.email()).click();
            flashed(page, "Member removed");
            String invitee = Fixture.unique("pending") + "@it.example";
            page.getByLabel("Email address").fill(invitee);
            button(page, "Invite").click();
            assertThat(page.locator("table", new Page.LocatorOptions().setHasText("Pending invitations")))
                    .containsText(invitee);
            shot(page, "users");
        }
        var members = api.get("/api/v1/tenants/" + tenant + "/users")
                .bearer(admin.accessToken())
                .send()
                .json()
                .get("items");
        assertThat(members.valueStream()
                        .filter(m -> m.get("email").asString().equals(viewer.email()))
                        .findFirst()
                        .orElseThrow()
                        .get("role")
                        .asString())
                .isEqualTo("operator");
        assertThat(members.valueStream().map(m -> m.get("email").asString())).doesNotContain(leaving.email());
    }

    @Test
    void anOperatorSendsACommandAndRotatesTheTokenWhichAViewerCannot() {
        UUID tenant = fixture.tenant("Console commands");
        Fixture.Member operator = fixture.member(tenant, "operator");
        Fixture.Member viewer = fixture.member(tenant, "viewer");
        Fixture.DeviceHandle drive = fixture.device(operator.accessToken(), "drive-3");
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, viewer);
            page.navigate(url("/console/devices/" + drive.id()));
            assertThat(button(page, "Send command")).hasCount(0);
            assertThat(button(page, "Rotate access token")).hasCount(0);
        }
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, operator);
            page.navigate(url("/console/devices/" + drive.id()));
            page.getByLabel("Method").fill("setSpeed");
            button(page, "Send command").click();
            assertThat(page.locator(".problem")).containsText("offline"); // the API's reason, shown
        }
        try (var browserContext = newContext();
                MqttTestDevice device =
                        MqttTestDevice.connect(context, drive.token()).takingCommands()) {
            Page page = browserContext.newPage();
            signIn(page, operator);
            page.navigate(url("/console/devices/" + drive.id()));
            page.getByLabel("Method").fill("setSpeed");
            page.getByLabel("Parameters (JSON)").fill("{\"rpm\": 1200}");
            page.getByLabel("One-way (no answer awaited)").check();
            button(page, "Send command").click();
            flashed(page, "Command setSpeed:");
            page.getByLabel("Method").fill("setSpeed");
            page.getByLabel("Parameters (JSON)").fill("{not json");
            button(page, "Send command").click();
            assertThat(page.locator(".problem")).containsText("Parameters must be JSON");

            button(page, "Rotate access token").click();
            flashed(page, "new access token, shown this once");
        }
        assertThat(fixture.telemetry(drive.token(), Map.of("rpm", 1)).status())
                .as("the old token no longer works")
                .isEqualTo(401);
    }

    @Test
    void theAuditLogIsFilteredAndExportedAsCsv() {
        Fixture.Member admin = fixture.member(fixture.tenant("Console audit"), "admin");
        fixture.device(admin.accessToken(), "audited-device");
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, admin);
            page.navigate(url("/console/audit"));
            page.getByLabel("Action").fill("device.create");
            button(page, "Filter").click();
            assertThat(page.locator("tbody")).containsText("device.create");
            assertThat(page.locator("tbody")).not().containsText("auth.login");
            var download = page.waitForDownload(() -> link(page, "Export CSV").click());
            try (var in = download.createReadStream()) {
                String exported = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(exported.lines().count()).isEqualTo(2); // header and the one device.create
                assertThat(exported).contains("device.create");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void aSystemAdminCreatesSuspendsAndLimitsATenantWhoseAdminsSeeTheQuotas() {
        String slug = Fixture.unique("console-made").toLowerCase(java.util.Locale.ROOT);
        String name = "Made in console " + slug;
        UUID tenant;
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
            link(page, "Tenants").click();
            page.getByLabel("Tenant name").fill(name);
            page.getByLabel("Slug").fill(slug);
            button(page, "Create tenant").click();
            flashed(page, "Tenant " + name + " created.");
            page.getByLabel("Search").fill(slug);
            button(page, "Search").click();
            tenant = UUID.fromString(
                    page.locator("input[name=tenant_id]").first().inputValue());
            page.getByLabel("Max devices").fill("7");
            button(page, "Save quotas of " + name).click();
            flashed(page, "Quotas saved.");
            button(page, "Suspend " + name).click();
            flashed(page, "suspended");
            assertThat(button(page, "Resume " + name)).isVisible();
            button(page, "Resume " + name).click();
            flashed(page, "active again");
        }
        var shown = api.get("/api/v1/tenants/" + tenant)
                .bearer(fixture.adminToken())
                .send()
                .json();
        assertThat(shown.get("max_devices").asInt()).isEqualTo(7);
        assertThat(shown.get("status").asString()).isEqualTo("active");

        Fixture.Member admin = fixture.member(tenant, "admin");
        fixture.device(admin.accessToken(), "one-of-seven");
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, admin);
            assertThat(link(page, "Tenants")).hasCount(0);
            link(page, "Quotas").click();
            assertThat(page.getByLabel("Devices")).hasAttribute("value", "1");
            assertThat(page.getByLabel("Devices")).hasAttribute("max", "7");
            assertThat(page.getByText("1 of 7")).isVisible();
            assertThat(button(page, "Save quotas of " + name)).hasCount(0);
            page.navigate(url("/console/tenants"));
            assertThat(page.locator(".notice")).containsText("Your role does not allow this page");
        }
    }

    @Test
    void theDashboardChartsAKeyOfSeveralDevicesLiveAndCountsIngest() {
        Fixture.Member operator = fixture.member(fixture.tenant("Console dashboard"), "operator");
        Fixture.DeviceHandle east = fixture.device(operator.accessToken(), "pump-east");
        Fixture.DeviceHandle west = fixture.device(operator.accessToken(), "pump-west");
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, operator);
            page.getByLabel("Key").fill("pressure");
            page.getByLabel("Devices")
                    .selectOption(new String[] {east.id().toString(), west.id().toString()});
            button(page, "Chart").click();
            var chart = page.locator("#live-chart");
            assertThat(chart).isVisible();
            page.waitForTimeout(500); // the event stream is open
            assertThat(fixture.telemetry(east.token(), Map.of("pressure", 2.5)).status())
                    .isEqualTo(200);
            assertThat(fixture.telemetry(west.token(), Map.of("pressure", 3.5)).status())
                    .isEqualTo(200);
            page.waitForFunction(
                    "() => Number(document.getElementById('live-chart').dataset.received) >= 2",
                    null,
                    new Page.WaitForFunctionOptions().setTimeout(5_000));
            assertThat(page.locator(".u-legend")).containsText("pump-east");
            assertThat(page.locator(".u-legend")).containsText("pump-west");
            // the figures refresh themselves (htmx, every 5 s) and count the points just stored
            assertThat(page.locator("#figures")).containsText("points/s");
            page.waitForFunction(
                    "() => { const rate = document.querySelector('#ingest-rate');"
                            + " return rate && Number(rate.textContent) > 0; }",
                    null,
                    new Page.WaitForFunctionOptions().setTimeout(15_000));
            shot(page, "dashboard-live");
        }
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
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, viewer);
            for (String name : List.of("devices", "rules", "api-keys", "users", "connectors")) {
                page.navigate(url("/console/" + name));
                for (String control : List.of(
                        "Create device", "Disable", "Create API key", "Invite", "Create connector", "Save rule")) {
                    assertThat(button(page, control)).hasCount(0);
                }
                assertThat(link(page, "New rule")).hasCount(0);
                assertThat(link(page, "Import from CSV")).hasCount(0);
            }
        }
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, admin);
            page.navigate(url("/console/devices"));
            page.getByLabel("Device name").fill("made-in-console");
            button(page, "Create device").click();
            flashed(page, "access token, shown this once");
            assertThat(link(page, "made-in-console")).isVisible();
            page.reload();
            assertThat(page.locator(".flash")).hasCount(0);

            page.navigate(url("/console/api-keys"));
            page.getByLabel("Key name").fill("console-key");
            button(page, "Create API key").click();
            flashed(page, "iiot_");
            button(page, "Revoke console-key").click();
            flashed(page, "revoked");

            page.navigate(url("/console/users"));
            String invitee = Fixture.unique("console-invitee") + "@it.example";
            page.getByLabel("Email address").fill(invitee);
            page.getByLabel("Role", new Page.GetByLabelOptions().setExact(true)).selectOption("operator");
            button(page, "Invite").click();
            flashed(page, invitee);

            page.navigate(url("/console/rules"));
            button(page, "Disable").click();
            assertThat(button(page, "Enable")).isVisible();
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
    void devicesAreFilteredAndPaged() {
        Fixture.Member admin = fixture.member(fixture.tenant("Console paging"), "admin");
        String csv = "name,type\n"
                + IntStream.range(0, 120)
                        .mapToObj(i -> String.format("paged-%03d,%s", i, i % 2 == 0 ? "valve" : "gauge"))
                        .collect(Collectors.joining("\n"));
        assertThat(api.post("/api/v1/devices/bulk", csv)
                        .header("Content-Type", "text/csv")
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(201);
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, admin);
            page.navigate(url("/console/devices"));
            assertThat(page.locator("caption")).hasText("120 devices, page 1 of 3");
            link(page, "Next page").click();
            assertThat(page.locator("caption")).hasText("120 devices, page 2 of 3");
            link(page, "Next page").click();
            assertThat(link(page, "Next page")).hasCount(0);
            assertThat(page.locator("tbody tr")).hasCount(20);
            page.getByLabel("Type filter").fill("valve");
            button(page, "Filter").click();
            assertThat(page.locator("caption")).hasText("60 devices, page 1 of 2");
            link(page, "Next page").click();
            assertThat(page.locator("caption")).hasText("60 devices, page 2 of 2");
            assertThat(page.locator("tbody")).not().containsText("gauge");
        }
    }

    @Test
    void aMemberOfATenantThatRequiresMfaSetsItUpAndThenSignsInWithACode() {
        UUID tenant = fixture.tenant("Console MFA");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.Member member = fixture.member(tenant, "operator");
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, admin);
            page.navigate(url("/console/users"));
            button(page, "Require two-factor authentication").click();
            flashed(page, "Members now need two-factor authentication");
        }
        Api.Response adminWithoutMfa =
                api.get("/api/v1/tenants/" + tenant).bearer(admin.accessToken()).send();
        assertThat(adminWithoutMfa.status())
                .as("from now on the tenant serves nobody without MFA, its admin included")
                .isEqualTo(403);
        assertThat(adminWithoutMfa.json().get("mfa_enrollment_required").asBoolean())
                .isTrue();
        String secret;
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            page.navigate(url("/console/login"));
            page.getByLabel("Email").fill(member.email());
            page.getByLabel("Password").fill(member.password());
            button(page, "Sign in").click();
            page.waitForURL("**/console/security");
            assertThat(page.locator(".problem")).containsText("requires two-factor authentication");
            page.getByLabel("Your password").fill(member.password());
            button(page, "Set up two-factor authentication").click();
            assertThat(page.getByAltText("QR code of your authenticator key")).isVisible();
            shot(page, "security-enrol");
            secret = page.locator("#mfa-secret").textContent().strip();
            page.getByLabel("Code from the app").fill(Totp.code(secret, Totp.step()));
            button(page, "Turn on").click();
            assertThat(page.locator(".recovery-codes li")).hasCount(10);
            assertThat(page.locator(".tenant strong")).hasText("Console MFA");
            button(page, "Sign out").click();

            page.getByLabel("Email").fill(member.email());
            page.getByLabel("Password").fill(member.password());
            button(page, "Sign in").click();
            page.getByLabel("Authentication code")
                    .fill("000000".equals(Totp.code(secret, Totp.step() + 1)) ? "111111" : "000000");
            button(page, "Verify").click();
            assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.ALERT))
                    .containsText("wrong");
            shot(page, "login-code");
            page.getByLabel("Authentication code").fill(Totp.code(secret, Totp.step() + 1));
            button(page, "Verify").click();
            page.waitForURL("**/console/dashboard");
            assertThat(page.locator(".tenant strong")).hasText("Console MFA");
        }
    }

    @Test
    void aSignedOutVisitorIsSentToSignInAndBackToThePageTheyAskedFor() {
        Fixture.Member viewer = fixture.member(fixture.tenant("Console return"), "viewer");
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            page.navigate(url("/console/alerts?status=cleared"));
            page.waitForURL("**/console/login");
            page.getByLabel("Email").fill(viewer.email());
            page.getByLabel("Password").fill(viewer.password());
            button(page, "Sign in").click();
            page.waitForURL("**/console/alerts?status=cleared");
            assertThat(page.getByLabel("Status")).hasValue("cleared");
        }
        Api.Response unauthenticated = api.get("/console/devices").send();
        assertThat(unauthenticated.status()).isEqualTo(302);
    }
}
