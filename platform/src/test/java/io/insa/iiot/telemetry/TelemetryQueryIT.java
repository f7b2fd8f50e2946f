package io.insa.iiot.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** Queries of SPEC 4.3 against a reference computed here from the points sent. */
class TelemetryQueryIT extends IntegrationTest {

    /** Offsets in milliseconds from the start of the series, chosen to sit on and around bucket edges. */
    static final long[] OFFSETS = {
        0, 15_000, 59_999, 60_000, 60_001, 119_000, 120_000, 180_000, 239_999, 240_000, 299_999
    };

    private static String token;
    private static UUID device;
    private static long base;
    private static Fixture.Member viewer;
    /** The points sent: time in epoch ms and the value as the device wrote it. */
    private record Sent(long ts, double value) {}

    private static final List<Sent> SENT = new ArrayList<>();

    @BeforeEach
    void series() {
        if (device != null) {
            return;
        }
        UUID tenant = fixture.tenant("Queries");
        Fixture.Member operator = fixture.member(tenant, "operator");
        viewer = fixture.member(tenant, "viewer");
        Fixture.DeviceHandle handle = fixture.device(operator.accessToken(), "meter");
        device = handle.id();
        token = handle.token();
        base = (System.currentTimeMillis() / 60_000 - 60) * 60_000;
        StringBuilder payload = new StringBuilder("[");
        for (int i = 0; i < OFFSETS.length; i++) {
            long ts = base + OFFSETS[i];
            long value = (i * 37L) % 11 - 3;
            String v = i % 2 == 0 ? Long.toString(value) : value + ".5";
            SENT.add(new Sent(ts, Double.parseDouble(v)));
            payload.append(i == 0 ? "" : ",")
                    .append("{\"ts\":")
                    .append(ts)
                    .append(",\"values\":{\"power\":")
                    .append(v)
                    .append(",\"state\":\"s")
                    .append(i)
                    .append("\"}}");
        }
        assertThat(fixture.telemetry(token, payload.append(']').toString()).status())
                .isEqualTo(200);
    }

    @ParameterizedTest(name = "{0} by {1} from +{2} ms")
    @CsvSource({
        "avg,1m,0",
        "min,1m,0",
        "max,1m,0",
        "sum,1m,0",
        "count,1m,0",
        "avg,2m,0",
        "sum,1m,30000",
        "count,90s,59999",
        "avg,60000,0", // plain milliseconds, as ThingsBoard's API takes them
        "max,45000,1000"
    })
    void aggregatesEqualTheReferenceBucketEdgesIncluded(String agg, String interval, long startOffset) {
        long step = interval.endsWith("m")
                ? Long.parseLong(interval.replace("m", "")) * 60_000
                : interval.endsWith("s") ? Long.parseLong(interval.replace("s", "")) * 1000 : Long.parseLong(interval);
        long start = base + startOffset;
        long end = base + 300_000;
        Api.Response response = api.get("/api/v1/devices/" + device + "/telemetry?keys=power&agg=" + agg + "&interval="
                        + interval + "&start=" + (startOffset % 2 == 0 ? Instant.ofEpochMilli(start) : start) + "&end="
                        + end)
                .bearer(viewer.accessToken())
                .send();
        assertThat(response.status()).as(response.toString()).isEqualTo(200);

        Map<Long, List<Double>> buckets = new TreeMap<>();
        for (Sent p : SENT) {
            if (p.ts() >= start && p.ts() < end) {
                buckets.computeIfAbsent(start + Math.floorDiv(p.ts() - start, step) * step, b -> new ArrayList<>())
                        .add(p.value());
            }
        }
        Function<List<Double>, Double> reference = switch (agg) {
            case "avg" -> l -> l.stream().mapToDouble(d -> d).average().orElseThrow();
            case "min" -> l -> l.stream().mapToDouble(d -> d).min().orElseThrow();
            case "max" -> l -> l.stream().mapToDouble(d -> d).max().orElseThrow();
            case "sum" -> l -> l.stream().mapToDouble(d -> d).sum();
            default -> l -> (double) l.size();
        };
        JsonNode samples = response.json().at("/series/power");
        assertThat(samples.size()).isEqualTo(buckets.size());
        int i = 0;
        for (Map.Entry<Long, List<Double>> bucket : buckets.entrySet()) {
            JsonNode sample = samples.get(i++);
            assertThat(sample.get("ts").asLong()).as("bucket start").isEqualTo(bucket.getKey());
            assertThat(sample.get("value").asDouble())
                    .as("bucket at " + bucket.getKey())
                    .isCloseTo(reference.apply(bucket.getValue()), within(1e-9));
        }
    }

    @Test
    void rawPointsComeOldestFirstWithTheirTypesAndALimitPerKey() {
        JsonNode all = api.get("/api/v1/devices/" + device + "/telemetry?keys=power,state,missing&start=" + base
                        + "&end=" + (base + 300_000))
                .bearer(viewer.accessToken())
                .send()
                .json();
        assertThat(all.at("/series/power").size()).isEqualTo(OFFSETS.length);
        assertThat(all.at("/series/state").size()).isEqualTo(OFFSETS.length);
        assertThat(all.at("/series/missing").size()).isZero();
        assertThat(all.at("/series/power/0/ts").asLong()).isEqualTo(base);
        assertThat(all.at("/series/power/1/value").asDouble())
                .isEqualTo(SENT.get(1).value());
        assertThat(all.at("/series/state/3/value").asString()).isEqualTo("s3");

        JsonNode limited = api.get("/api/v1/devices/" + device + "/telemetry?keys=power,state&limit=3&start=" + base
                        + "&end=" + (base + 300_000))
                .bearer(viewer.accessToken())
                .send()
                .json();
        assertThat(limited.at("/series/power").size()).isEqualTo(3);
        assertThat(limited.at("/series/state").size()).isEqualTo(3);
    }

    @Test
    void latestValuesAndCsvExport() {
        JsonNode latest = api.get("/api/v1/devices/" + device + "/telemetry/latest?keys=power")
                .bearer(viewer.accessToken())
                .send()
                .json();
        Sent last = SENT.getLast();
        assertThat(latest.at("/values/power/ts").asLong()).isEqualTo(last.ts());
        assertThat(latest.at("/values/power/value").asDouble()).isEqualTo(last.value());
        assertThat(latest.get("values").propertyNames()).containsExactly("power");

        Api.Response csv = api.get(
                        "/api/v1/devices/" + device + "/telemetry/export?keys=power&agg=count&interval=5m&start=" + base
                                + "&end=" + (base + 300_000))
                .bearer(viewer.accessToken())
                .send();
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        assertThat(csv.text())
                .isEqualTo("key,ts,value\r\npower," + Instant.ofEpochMilli(base) + "," + OFFSETS.length + "\r\n");
    }

    @Test
    void latestValuesOfADeviceWithoutThemAreEmptyAndOfNoDevice404() {
        Fixture.Member operator = fixture.member(fixture.tenant("Latest"), "operator");
        UUID silent = fixture.device(operator.accessToken(), "silent").id();

        Api.Response none = api.get("/api/v1/devices/" + silent + "/telemetry/latest")
                .bearer(operator.accessToken())
                .send();
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.json().get("values").isEmpty()).isTrue();
        assertThat(api.get("/api/v1/devices/" + UUID.randomUUID() + "/telemetry/latest")
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);
    }

    @Test
    void csvExportWritesDeviceTextAsTextAndNegativeNumbersAsNumbers() {
        Fixture.Member operator = fixture.member(fixture.tenant("Formulas"), "operator");
        Fixture.DeviceHandle formulas = fixture.device(operator.accessToken(), "formulas");
        assertThat(fixture.telemetry(
                                formulas.token(),
                                "{\"ts\": " + base + ", \"values\": {\"cmd\": \"=2+3\", \"neg\": -3.5, \"@k\": 1}}")
                        .status())
                .isEqualTo(200);

        Api.Response csv = api.get("/api/v1/devices/" + formulas.id() + "/telemetry/export?keys=cmd,neg,%40k&start="
                        + base + "&end=" + (base + 1))
                .bearer(operator.accessToken())
                .send();

        assertThat(csv.status()).as(csv.toString()).isEqualTo(200);
        String ts = Instant.ofEpochMilli(base).toString();
        assertThat(csv.text().split("\r\n"))
                .containsExactlyInAnyOrder(
                        "key,ts,value", "cmd," + ts + ",'=2+3", "neg," + ts + ",-3.5", "'@k," + ts + ",1");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "keys=",
                "keys=power&start=2026-01-02T00:00:00Z&end=2026-01-01T00:00:00Z",
                "keys=power&start=2020-01-01T00:00:00Z&end=2026-01-01T00:00:00Z",
                "keys=power&interval=1s&start=2026-01-01T00:00:00Z&end=2026-01-02T00:00:00Z",
                "keys=power&interval=1m&agg=median",
                "keys=power&agg=avg",
                "keys=power&interval=1m&agg=none",
                "keys=power&limit=0",
                "keys=power&limit=100001",
                "keys=power&start=yesterday",
                "keys=power&interval=fortnight&agg=avg"
            })
    void queriesOutsideTheLimitsGet400NamingTheParameter(String query) {
        Api.Response response = api.get("/api/v1/devices/" + device + "/telemetry?" + query)
                .bearer(viewer.accessToken())
                .send();
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.json().get("field").asString()).isIn("keys", "start", "end", "interval", "agg", "limit");
    }
}
