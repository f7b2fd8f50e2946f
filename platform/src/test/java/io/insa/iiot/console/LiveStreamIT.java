package io.insa.iiot.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A console live stream lasts as long as the session it was opened in: signing out, leaving the tenant,
 * a role change and the revocation of the user's sessions (password change, MFA reset) end it, where
 * before it kept delivering points for its full 30 minutes.
 */
@Timeout(120)
class LiveStreamIT extends IntegrationTest {

    private static final Duration ENDS_WITHIN = Duration.ofSeconds(10);

    /** A viewer watching a device's temperature in the console. */
    private record Watching(
            UUID tenant,
            Fixture.Member admin,
            Fixture.Member viewer,
            Fixture.DeviceHandle device,
            ConsoleClient console,
            ConsoleClient.LiveStream stream) {}

    @Test
    void aViewersLiveStreamEndsWhenTheySignOut() throws Exception {
        Watching w = watching("Live sign-out");
        assertThat(w.console().post("/console/logout", Map.of()).statusCode()).isEqualTo(302);
        assertEndedFor(w, "after sign-out");
    }

    @Test
    void aViewersLiveStreamEndsWhenTheyAreRemovedFromTheTenantAndOthersKeepTheirs() throws Exception {
        Watching w = watching("Live removal");
        ConsoleClient adminConsole = new ConsoleClient(port, Fixture.freshIp());
        adminConsole.signIn(w.admin().email(), w.admin().password());
        try (ConsoleClient.LiveStream adminStream = adminConsole.live(w.device().id(), "temperature")) {
            receives(w.device(), adminStream);
            Api.Response removed = api.delete("/api/v1/tenants/" + w.tenant() + "/users/"
                            + w.viewer().id())
                    .bearer(w.admin().accessToken())
                    .send();
            assertThat(removed.status()).as(removed.toString()).isEqualTo(204);
            assertEndedFor(w, "after the viewer was removed from the tenant");
            receives(w.device(), adminStream);
        }
    }

    @Test
    void aViewersLiveStreamEndsWhenTheirRoleChanges() throws Exception {
        Watching w = watching("Live role change");
        Api.Response changed = api.patch(
                        "/api/v1/tenants/" + w.tenant() + "/users/" + w.viewer().id() + "/role",
                        Map.of("role", "operator"))
                .bearer(w.admin().accessToken())
                .send();
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertEndedFor(w, "after the viewer's role changed");
    }

    @Test
    void aLiveStreamEndsWhenThePasswordIsChangedInAnotherSession() throws Exception {
        Watching w = watching("Live password change");
        String elsewhere = fixture.login(w.viewer().email(), w.viewer().password())
                .get("access_token")
                .asString();
        Api.Response changed = api.post(
                        "/api/v1/auth/password",
                        Map.of("current_password", w.viewer().password(), "new_password", "pw-" + UUID.randomUUID()))
                .bearer(elsewhere)
                .from(Fixture.freshIp())
                .send();
        assertThat(changed.status()).as(changed.toString()).isEqualTo(204);
        assertEndedFor(w, "after the password was changed, which revokes the other sessions");
    }

    @Test
    void aLiveStreamEndsWhenASystemAdminResetsTheUsersMfa() throws Exception {
        Watching w = watching("Live MFA reset");
        Api.Response reset = api.post("/api/v1/admin/users/" + w.viewer().id() + "/mfa/reset", Map.of())
                .bearer(fixture.adminToken())
                .send();
        assertThat(reset.status()).as(reset.toString()).isEqualTo(204);
        assertEndedFor(w, "after the MFA reset, which revokes the user's sessions");
    }

    // ------------------------------------------------------------------ helpers

    private Watching watching(String tenantName) throws InterruptedException {
        UUID tenant = fixture.tenant(tenantName);
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.Member viewer = fixture.member(tenant, "viewer");
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), Fixture.unique("live"));
        ConsoleClient console = new ConsoleClient(port, Fixture.freshIp());
        console.signIn(viewer.email(), viewer.password());
        ConsoleClient.LiveStream stream = console.live(device.id(), "temperature");
        receives(device, stream);
        return new Watching(tenant, admin, viewer, device, console, stream);
    }

    /** Sends points until the stream shows one (it is registered a moment after it opened). */
    private void receives(Fixture.DeviceHandle device, ConsoleClient.LiveStream stream) {
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            point(device);
            return stream.next(Duration.ofMillis(500)) != null;
        });
    }

    private void assertEndedFor(Watching w, String after) throws InterruptedException {
        boolean ended = w.stream().endsWithin(ENDS_WITHIN);
        w.stream().forgetReceived();
        point(w.device());
        String late = w.stream().next(Duration.ofSeconds(1));
        w.stream().close();
        assertThat(ended).as("the live stream ended " + after).isTrue();
        assertThat(late).as("a point reached the stream " + after).isNull();
    }

    private void point(Fixture.DeviceHandle device) {
        assertThat(fixture.telemetry(device.token(), Map.of("temperature", 20.5))
                        .status())
                .isEqualTo(200);
    }
}
