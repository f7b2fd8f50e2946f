package io.insa.iiot.shared;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PostgreSQL text cannot hold U+0000; a NUL that reaches a query is a 400 naming the input, never a
 * 500 from the database.
 */
class NulCharacterIT extends IntegrationTest {

    private static Fixture.Member admin;
    private static Fixture.DeviceHandle device;

    @BeforeEach
    void tenant() {
        if (admin == null) {
            admin = fixture.member(fixture.tenant("Nul"), "admin");
            device = fixture.device(admin.accessToken(), "nul-meter");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/api/v1/devices?name=%00, name",
        "/api/v1/devices?type=a%00b, type",
        "/api/v1/devices?label=k:%00, label",
        "/api/v1/audit?action=auth.login%00, action",
        "/api/v1/audit?actor=%00&size=5, actor",
        "/api/v1/audit?target_type=user&target_id=x%00, target_id",
        "/api/v1/audit/export?action=%00, action",
        "/api/v1/devices/{device}/telemetry?keys=a%00, keys",
    })
    void aNulInAQueryParameterIs400NamingTheParameter(String path, String parameter) {
        Api.Response response = api.get(path.replace("{device}", device.id().toString()))
                .bearer(admin.accessToken())
                .send();

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().get("field").asString()).isEqualTo(parameter);
        assertThat(response.json().get("detail").asString())
                .startsWith(parameter + ": ")
                .contains("NUL");
    }

    @Test
    void aNulInAJsonBodyIs400AndNothingIsStored() {
        String name = Fixture.unique("nul");
        Api.Response response = api.post("/api/v1/devices", Map.of("name", name + "\u0000", "type", "sensor"))
                .bearer(admin.accessToken())
                .send();

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asString()).contains("NUL");
        assertThat(api.get("/api/v1/devices?name=" + name)
                        .bearer(admin.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asInt())
                .isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "telemetry  | {\"text\": \"a\\u0000b\"}",
                "telemetry  | {\"doc\": {\"inner\": \"\\u0000\"}}",
                "attributes | {\"fw\": \"1.0\\u0000\"}"
            })
    void aNulInADeviceValueIsABadPayloadNotAStorageFailure(String kind, String payload) throws Exception {
        Fixture.DeviceHandle sender = fixture.device(admin.accessToken(), Fixture.unique("nul-sender"));

        Api.Response response =
                api.post("/api/v1/" + sender.token() + "/" + kind, payload).send();

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.json().get("detail").asString()).contains("NUL");
        assertThat(io.insa.iiot.support.Points.count(sender.id(), "text")).isZero();
        assertThat(api.get("/api/v1/devices/" + sender.id())
                        .bearer(admin.accessToken())
                        .send()
                        .json()
                        .get("attributes"))
                .allSatisfy(value -> assertThat(value.toString()).doesNotContain("1.0"));
    }
}
