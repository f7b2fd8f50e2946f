package io.insa.iiot.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The console in a real browser: Playwright driving Debian's headless Chromium. Screenshots go to
 * target/console-screenshots; each browser context has a client address of its own, since sign-in
 * throttles count per address as they do for people.
 */
public abstract class BrowserTest extends IntegrationTest {

    static final Path SHOTS = Path.of("target", "console-screenshots");
    static Playwright playwright;
    static Browser browser;

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

    public static BrowserContext newContext() {
        return browser.newContext(options());
    }

    static Browser.NewContextOptions options() {
        return new Browser.NewContextOptions().setExtraHTTPHeaders(Map.of("X-Forwarded-For", Fixture.freshIp()));
    }

    void signIn(Page page, Fixture.Member member) {
        signIn(page, member.email(), member.password());
    }

    void signIn(Page page, String email, String password) {
        page.navigate(url("/console/login"));
        page.getByLabel("Email").fill(email);
        page.getByLabel("Password").fill(password);
        button(page, "Sign in").click();
        page.waitForURL("**/console/dashboard");
    }

    /** Enters a tenant with the top bar's switcher. */
    static void switchTo(Page page, java.util.UUID tenant) {
        page.getByLabel("Tenant").selectOption(tenant.toString());
        button(page, "Switch").click();
        page.waitForURL("**/console/dashboard");
    }

    public static Locator button(Page page, String name) {
        return page.getByRole(
                AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
    }

    static Locator link(Page page, String name) {
        return page.getByRole(
                AriaRole.LINK, new Page.GetByRoleOptions().setName(name).setExact(true));
    }

    static void flashed(Page page, String text) {
        assertThat(page.locator(".flash")).containsText(text);
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public static void shot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions()
                .setPath(SHOTS.resolve(name + ".png"))
                .setFullPage(true));
    }

    /** axe-core, from its WebJar, injected by the test (the console's strict CSP would refuse it otherwise). */
    static String axe() {
        try (var in = BrowserTest.class.getResourceAsStream("/META-INF/resources/webjars/axe-core/4.6.3/axe.min.js")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The serious and critical violations axe-core finds on the page, as "rule: target" lines. */
    @SuppressWarnings("unchecked")
    static List<String> serious(Page page, String axe) {
        page.addScriptTag(new Page.AddScriptTagOptions().setContent(axe));
        return (List<String>) page.evaluate("""
                async () => (await axe.run()).violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ')))""");
    }
}
