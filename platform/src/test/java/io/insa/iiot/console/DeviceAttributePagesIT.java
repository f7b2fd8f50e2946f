package io.insa.iiot.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.transport.AttributeSubscriptions;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** A device's shared and server attributes on its console page: set, changed and removed by an operator, read by a viewer. */
@Timeout(120)
class DeviceAttributePagesIT extends BrowserTest {

    @Autowired
    AttributeSubscriptions subscriptions;

    @Test
    void anOperatorSetsChangesAndRemovesSharedAttributesWhichReachTheDeviceAndAViewerOnlyReadsThem() throws Exception {
        UUID tenant = fixture.tenant("Console attributes");
        Fixture.Member operator = fixture.member(tenant, "operator");
        Fixture.Member viewer = fixture.member(tenant, "viewer");
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), "boiler-7");
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, operator);
            page.navigate(url("/console/devices/" + device.id()));
            Locator shared = region(page, "Shared attributes");

            // the device long-polls for changes, as ThingsBoard's HTTP SDK does
            CompletableFuture<HttpResponse<String>> poll = CompletableFuture.supplyAsync(
                    () -> http("/api/v1/" + device.token() + "/attributes/updates?timeout=20000"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> subscriptions.listensTo(device.id()));
            shared.getByLabel("Name").fill("interval");
            shared.getByLabel("Value").fill("30");
            button(page, "Add attribute").first().click();
            flashed(page, "Attribute interval set.");
            assertThat(attributes(operator, device, "shared").get("interval").asInt())
                    .isEqualTo(30);
            HttpResponse<String> told = poll.get(10, TimeUnit.SECONDS);
            assertThat(told.statusCode()).isEqualTo(200);
            assertThat(told.body()).contains("\"interval\":30");

            shared = region(page, "Shared attributes");
            shared.getByLabel("Name").fill("interval");
            shared.getByLabel("Value").fill("45");
            shared.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Add attribute"))
                    .click();
            flashed(page, "Attribute interval set.");
            shared = region(page, "Shared attributes");
            shared.getByLabel("Name").fill("mode");
            shared.getByLabel("Value").fill("eco");
            shared.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Add attribute"))
                    .click();
            flashed(page, "Attribute mode set.");
            JsonNode changed = attributes(operator, device, "shared");
            assertThat(changed.get("interval").asInt()).isEqualTo(45);
            assertThat(changed.get("mode").asString()).isEqualTo("eco");
            assertThat(region(page, "Shared attributes")).containsText("eco");

            Locator server = region(page, "Server attributes");
            server.getByLabel("Name").fill("site");
            server.getByLabel("Value").fill("{\"hall\": 3}");
            server.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Add attribute"))
                    .click();
            flashed(page, "Attribute site set.");
            assertThat(attributes(operator, device, "server").at("/site/hall").asInt())
                    .isEqualTo(3);

            button(page, "Remove interval").click();
            flashed(page, "Attribute interval removed.");
            assertThat(attributes(operator, device, "shared").has("interval")).isFalse();
            shot(page, "device-attributes");
        }
        try (var browserContext = newContext()) {
            Page page = browserContext.newPage();
            signIn(page, viewer);
            page.navigate(url("/console/devices/" + device.id()));
            assertThat(region(page, "Shared attributes")).containsText("mode");
            assertThat(button(page, "Add attribute")).hasCount(0);
            assertThat(button(page, "Remove mode")).hasCount(0);
        }
    }

    private static Locator region(Page page, String name) {
        return page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName(name));
    }

    private JsonNode attributes(Fixture.Member member, Fixture.DeviceHandle device, String scope) {
        return api.get("/api/v1/devices/" + device.id() + "/attributes?scope=" + scope)
                .bearer(member.accessToken())
                .send()
                .json()
                .get(scope);
    }

    private HttpResponse<String> http(String path) {
        return api.get(path).send().raw();
    }
}
