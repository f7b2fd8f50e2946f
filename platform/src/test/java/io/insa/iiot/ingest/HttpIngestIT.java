package io.insa.iiot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.MutableClock;
import io.insa.iiot.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** The HTTP device API over the ingest pipeline: formats, refusals, credentials, quota. */
class HttpIngestIT extends IntegrationTest {

    @Autowired
    MutableClock clock;

    private static UUID tenant;
    private static Fixture.Member operator;

    @BeforeEach
    void tenant() {
        if (tenant == null) {
            tenant = fixture.tenant("Ingest");
            operator = fixture.member(tenant, "operator");
        }
    }

    @AfterEach
    void realTime() {
        clock.reset();
    }

    @Test
    void everyPayloadFormatIsStoredWithItsTypesAndTimestamps() throws SQLException {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("formats"));
        long before = System.currentTimeMillis();
        assertThat(fixture.telemetry(device.token(), """
                {"temperature": 21.5, "running": true, "mode": "auto", "count": 42, "meta": {"fw": "1.2"}, "setpoints": [19, 21.5]}""").status()).isEqualTo(200);
        long after = System.currentTimeMillis();
        long t0 = (before / 1000 - 3600) * 1000;
        assertThat(fixture.telemetry(device.token(), """
                {"ts": %d, "values": {"temperature": 19.25}}""".formatted(t0)).status())
                .isEqualTo(200);
        assertThat(fixture.telemetry(device.token(), """
                [{"ts": %d, "values": {"temperature": 20}}, {"pressure": 1013.2}]""".formatted(t0 + 60_000)).status())
                .isEqualTo(200);

        List<Row> rows = rows(device.id());
        assertThat(rows).hasSize(9);
        Row temperature = rows.stream()
                .filter(r -> r.key().equals("temperature") && r.ts() >= before - 1)
                .findFirst()
                .orElseThrow();
        assertThat(temperature.ts()).isBetween(before - 1, after);
        assertThat(temperature.typed()).isEqualTo("double:21.5");
        assertThat(typedOf(rows, "running")).isEqualTo("bool:true");
        assertThat(typedOf(rows, "mode")).isEqualTo("string:auto");
        assertThat(typedOf(rows, "count")).isEqualTo("long:42");
        assertThat(typedOf(rows, "meta")).isEqualTo("json:{\"fw\": \"1.2\"}");
        assertThat(typedOf(rows, "setpoints"))
                .as("stored as JSON, as ThingsBoard does")
                .isEqualTo("json:[19, 21.5]");
        assertThat(rows).anySatisfy(r -> {
            assertThat(r.ts()).isEqualTo(t0);
            assertThat(r.typed()).isEqualTo("double:19.25");
        });
        assertThat(rows).anySatisfy(r -> {
            assertThat(r.ts()).isEqualTo(t0 + 60_000);
            assertThat(r.typed()).isEqualTo("long:20");
        });
        assertThat(rows).anySatisfy(r -> assertThat(r.key()).isEqualTo("pressure"));

        JsonNode latest = api.get("/api/v1/devices/" + device.id() + "/telemetry/latest")
                .bearer(operator.accessToken())
                .send()
                .json();
        assertThat(latest.at("/values/temperature/value").asDouble()).isEqualTo(21.5);
        assertThat(latest.at("/values/meta/value/fw").asString()).isEqualTo("1.2");
        assertThat(latest.at("/values/running/value").asBoolean()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            bad JSON             | {"temperature": 21.5                                   | malformed JSON
            trailing garbage     | {"a": 1} x                                             | malformed JSON
            NaN literal          | {"a": NaN}                                             | malformed JSON
            Infinity literal     | {"a": Infinity}                                        | malformed JSON
            overflowing number   | {"a": 1e999}                                           | not a finite number
            wrong shape: scalar  | 42                                                     | expected a JSON object
            wrong shape: ts only | {"ts": 1700000000000, "a": 1}                          | exactly
            values not object    | {"ts": 1700000000000, "values": [1]}                   | values must be
            ts not a number      | {"ts": "yesterday", "values": {"a": 1}}                | epoch milliseconds
            null value           | {"a": null}                                            | must be a number
            far-future ts        | {"ts": 99999999999999, "values": {"a": 1}}             | in the future
            empty key            | {"": 1}                                                | bad key
            duplicate key        | {"a": 1, "a": 2}                                       | malformed JSON
            empty values         | {"ts": 1700000000000, "values": {}}                    | non-empty
            empty array          | []                                                     | no entries
            one bad entry        | [{"a": 1}, {"b": null}]                                | must be a number
            older than retention | {"ts": 1000, "values": {"a": 1}}                       | older than the tenant's retention
            """)
    void malformedPayloadGets400WithADetailAndStoresNothing(String label, String payload, String detail)
            throws SQLException {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("bad"));
        Api.Response response = fixture.telemetry(device.token(), payload);
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.json().get("detail").asString()).contains(detail);
        assertThat(rows(device.id())).isEmpty();
    }

    @Test
    void controlCharacterInAKeyIsABadKey() throws SQLException {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("ctl"));
        Api.Response response = fixture.telemetry(device.token(), "{\"a\\u0001b\": 1, \"good\": 2}");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("detail").asString()).contains("bad key");
        assertThat(rows(device.id())).isEmpty();
    }

    @Test
    void tooLongKeyOversizePayloadAndTooManyKeysAreRefusedWhole() throws SQLException {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("big"));
        Api.Response longKey = fixture.telemetry(device.token(), Map.of("k".repeat(256), 1, "fine", 2));
        assertThat(longKey.status()).isEqualTo(400);
        assertThat(longKey.json().get("detail").asString()).contains("bad key");

        Api.Response oversize = fixture.telemetry(device.token(), Map.of("blob", "x".repeat(70_000)));
        assertThat(oversize.status()).isEqualTo(400);
        assertThat(oversize.json().get("detail").asString()).contains("exceeds the limit of 65536 bytes");

        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 1001; i++) {
            many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        Api.Response tooMany =
                fixture.telemetry(device.token(), many.append('}').toString());
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().get("detail").asString()).contains("too many keys");
        assertThat(rows(device.id())).isEmpty();
    }

    @Test
    void unknownRotatedAndDeletedTokensGet401() throws SQLException {
        assertThat(fixture.telemetry("no-such-token", "{\"a\": 1}").status()).isEqualTo(401);

        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("rotating"));
        assertThat(fixture.telemetry(device.token(), "{\"a\": 1}").status()).isEqualTo(200);
        Api.Response rotated = api.post("/api/v1/devices/" + device.id() + "/token", null)
                .bearer(operator.accessToken())
                .send();
        assertThat(rotated.status()).isEqualTo(200);
        String newToken = rotated.json().get("access_token").asString();
        Api.Response old = fixture.telemetry(device.token(), "{\"a\": 2}");
        assertThat(old.status()).isEqualTo(401);
        assertThat(old.header("Content-Type")).startsWith("application/problem+json");
        assertThat(fixture.telemetry(newToken, "{\"a\": 3}").status()).isEqualTo(200);

        assertThat(api.delete("/api/v1/devices/" + device.id())
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        assertThat(fixture.telemetry(newToken, "{\"a\": 4}").status()).isEqualTo(401);
        assertThat(rows(device.id())).extracting(Row::typed).containsExactlyInAnyOrder("long:1", "long:3");
    }

    @Test
    void devicesOfASuspendedTenantAreRefused() throws SQLException {
        UUID suspended = fixture.tenant("Suspended ingest");
        Fixture.Member admin = fixture.member(suspended, "admin");
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), "pump");
        assertThat(fixture.telemetry(device.token(), "{\"a\": 1}").status()).isEqualTo(200);

        api.patch("/api/v1/tenants/" + suspended, Map.of("status", "suspended"))
                .bearer(fixture.adminToken())
                .send();
        Api.Response refused = fixture.telemetry(device.token(), "{\"a\": 2}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("detail").asString()).contains("suspended");

        api.patch("/api/v1/tenants/" + suspended, Map.of("status", "active"))
                .bearer(fixture.adminToken())
                .send();
        assertThat(fixture.telemetry(device.token(), "{\"a\": 3}").status()).isEqualTo(200);
        assertThat(rows(device.id())).hasSize(2);
    }

    @Test
    void theMessageThatWouldCrossTheDailyQuotaGets429AndTheCounterRestartsNextUtcDay() throws SQLException {
        UUID small = fixture.tenant("Quota ingest", Map.of("max_telemetry_points_per_day", 10));
        Fixture.Member admin = fixture.member(small, "admin");
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), "meter");

        assertThat(fixture.telemetry(device.token(), points(6, 0)).status()).isEqualTo(200);
        Api.Response over = fixture.telemetry(device.token(), points(5, 100));
        assertThat(over.status()).isEqualTo(429);
        Instant midnight = LocalDate.now(ZoneOffset.UTC)
                .plusDays(1)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        assertThat(over.json().get("detail").asString())
                .contains("max_telemetry_points_per_day is 10", "6 points used today", "resets at " + midnight);
        long retryAfter = Long.parseLong(over.header("Retry-After"));
        assertThat(retryAfter)
                .isBetween(1L, Duration.between(Instant.now(), midnight).toSeconds() + 2);
        assertThat(rows(device.id())).hasSize(6);
        assertThat(fixture.telemetry(device.token(), points(4, 200)).status())
                .as("exactly up to the limit")
                .isEqualTo(200);
        assertThat(fixture.telemetry(device.token(), points(1, 300)).status()).isEqualTo(429);

        clock.shift(Duration.between(Instant.now(), midnight).plusMinutes(1));
        assertThat(fixture.telemetry(device.token(), points(5, 400)).status())
                .as("a new UTC day")
                .isEqualTo(200);
        assertThat(rows(device.id())).hasSize(15);
        JsonNode quotas = api.get("/api/v1/tenants/" + small + "/quotas")
                .bearer(admin.accessToken())
                .send()
                .json();
        assertThat(quotas.at("/telemetry_points/used_today").asLong()).isEqualTo(5);
    }

    @Test
    void messagesBeyondTheTenantsRatePerSecondGet429NamingTheLimit() throws SQLException {
        UUID slow = fixture.tenant("Rate ingest", Map.of("max_messages_per_second", 2));
        Fixture.Member admin = fixture.member(slow, "admin");
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), "chatty");
        List<Api.Response> responses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            responses.add(fixture.telemetry(device.token(), "{\"n\": " + i + "}"));
        }
        List<Api.Response> refused =
                responses.stream().filter(r -> r.status() == 429).toList();
        assertThat(refused).isNotEmpty();
        assertThat(refused.getFirst().json().get("detail").asString()).contains("max_messages_per_second is 2");
        assertThat(Long.parseLong(refused.getFirst().header("Retry-After"))).isBetween(1L, 2L);
        long accepted = responses.stream().filter(r -> r.status() == 200).count();
        assertThat(accepted).isGreaterThanOrEqualTo(2);
        assertThat(rows(device.id())).hasSize((int) accepted);
    }

    @Test
    void attributesAreStoredOnTheDevice() {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("attrs"));
        Api.Response response = api.post(
                        "/api/v1/" + device.token() + "/attributes", Map.of("firmware", "2.1.0", "slots", 4))
                .send();
        assertThat(response.status()).isEqualTo(200);
        JsonNode shown = api.get("/api/v1/devices/" + device.id())
                .bearer(operator.accessToken())
                .send()
                .json();
        assertThat(shown.at("/attributes/firmware").asString()).isEqualTo("2.1.0");
        assertThat(shown.at("/attributes/slots").asInt()).isEqualTo(4);
        assertThat(shown.get("status").asString()).isEqualTo("online");
        assertThat(shown.get("last_seen_at").isNull()).isFalse();
        assertThat(api.post("/api/v1/" + device.token() + "/attributes", "[1]")
                        .send()
                        .status())
                .isEqualTo(400);
    }

    private static String points(int n, int offset) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "" : ",")
                    .append("\"p")
                    .append(offset + i)
                    .append("\":")
                    .append(i);
        }
        return out.append('}').toString();
    }

    /** A stored point: key, time in epoch ms, type and value. */
    record Row(String key, long ts, String typed) {}

    private static String typedOf(List<Row> rows, String key) {
        return rows.stream()
                .filter(r -> r.key().equals(key))
                .findFirst()
                .orElseThrow()
                .typed();
    }

    /** The device's stored points, read as the runtime role in the tenant that holds them. */
    static List<Row> rows(UUID device) throws SQLException {
        String tenant;
        try (Connection owner = TestDatabase.get().connectAsOwner();
                PreparedStatement s =
                        owner.prepareStatement("SELECT DISTINCT tenant_id::text FROM telemetry WHERE device_id = ?")) {
            s.setObject(1, device);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return List.of();
                }
                tenant = rs.getString(1);
            }
        }
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            try (PreparedStatement set = c.prepareStatement("SELECT set_config('app.tenant_id', ?, true)")) {
                set.setString(1, tenant);
                set.execute();
            }
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT k.key, (extract(epoch FROM t.ts) * 1000)::bigint AS ms,
                           CASE WHEN t.long_v IS NOT NULL THEN 'long:' || t.long_v
                                WHEN t.double_v IS NOT NULL THEN 'double:' || t.double_v
                                WHEN t.bool_v IS NOT NULL THEN 'bool:' || t.bool_v
                                WHEN t.str_v IS NOT NULL THEN 'string:' || t.str_v
                                ELSE 'json:' || t.json_v::text END AS typed
                    FROM telemetry t JOIN telemetry_keys k ON k.tenant_id = t.tenant_id AND k.id = t.key_id
                    WHERE t.device_id = ? ORDER BY t.ts, k.key""")) {
                s.setObject(1, device);
                List<Row> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Row(rs.getString(1), rs.getLong(2), rs.getString(3)));
                    }
                }
                c.rollback();
                return out;
            }
        }
    }
}
