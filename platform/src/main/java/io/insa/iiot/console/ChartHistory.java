package io.insa.iiot.console;

import static io.insa.iiot.console.ConsolePages.encode;
import static io.insa.iiot.console.ConsolePages.parameters;
import static io.insa.iiot.console.ConsolePages.query;

import jakarta.servlet.http.HttpSession;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * The points a chart starts from, in uPlot's table form {@code [[ts...], [line 1...], ...]}: one line
 * per device, with null where a device has no point at a time (the chart spans such gaps).
 */
final class ChartHistory {

    private static final int MAX_POINTS = 1000;

    private ChartHistory() {}

    /**
     * The last {@code span} of {@code key} of each device, raw, or with {@code agg} over about 200
     * buckets.
     */
    static String of(ConsoleApi api, HttpSession session, List<String> devices, String key, Duration span, String agg) {
        Instant end = Instant.now();
        Map<String, Object> call = parameters("keys", key, "start", end.minus(span), "end", end, "limit", MAX_POINTS);
        if (!agg.equals("raw")) {
            call.put("interval", Math.max(1, span.toSeconds() / 200) + "s");
            call.put("agg", agg);
        }
        TreeMap<Long, Double[]> rows = new TreeMap<>();
        for (int line = 0; line < devices.size(); line++) {
            JsonNode samples = api.get(
                            session, "/api/v1/devices/" + encode(devices.get(line)) + "/telemetry" + query(call))
                    .path("series")
                    .path(key);
            for (JsonNode sample : samples) {
                JsonNode value = sample.get("value");
                if (value != null && value.isNumber()) {
                    rows.computeIfAbsent(sample.get("ts").asLong(), ts -> new Double[devices.size()])[line] =
                            value.asDouble();
                }
            }
        }
        StringBuilder table = new StringBuilder("[[");
        table.append(String.join(
                ",",
                rows.keySet().stream().map(ts -> Double.toString(ts / 1000.0)).toList()));
        table.append(']');
        for (int line = 0; line < devices.size(); line++) {
            int column = line;
            table.append(",[")
                    .append(String.join(
                            ",",
                            rows.values().stream()
                                    .map(values -> values[column] == null ? "null" : values[column].toString())
                                    .toList()))
                    .append(']');
        }
        return table.append(']').toString();
    }
}
