package io.insa.iiot.demo;

import java.util.List;
import java.util.Map;

/** The demo's rules, as bodies of {@code POST /api/v1/rules}: one for each fault the plant has, and two that wait. */
final class DemoRules {

    private DemoRules() {}

    static List<Map<String, Object>> all() {
        return List.of(
                rule(
                        "Pump discharge pressure spike",
                        "critical",
                        "pump",
                        "pressure_bar",
                        Map.of("type", "threshold", "operator", ">", "value", 10),
                        Map.of("type", "threshold", "operator", "<", "value", 8)),
                rule(
                        "Pump bearing overheating",
                        "major",
                        "pump",
                        "bearing_temp_c",
                        Map.of("type", "threshold", "operator", ">", "value", 80, "duration_s", 15),
                        Map.of("type", "threshold", "operator", "<", "value", 70)),
                rule(
                        "Tank level reading anomalous",
                        "warning",
                        "tank",
                        "level_pct",
                        Map.of("type", "anomaly", "score_above", 0.8),
                        null),
                rule(
                        "Tank level out of range",
                        "major",
                        "tank",
                        "level_pct",
                        Map.of("type", "range", "min", 5, "max", 95),
                        null),
                rule(
                        "Motor winding hot",
                        "major",
                        "motor",
                        "winding_temp_c",
                        Map.of("type", "threshold", "operator", ">", "value", 95, "duration_s", 60),
                        Map.of("type", "threshold", "operator", "<", "value", 85)),
                rule(
                        "Line station silent",
                        "minor",
                        "line_station",
                        "speed_m_min",
                        Map.of("type", "no_data", "seconds", 120),
                        null));
    }

    private static Map<String, Object> rule(
            String name,
            String severity,
            String deviceType,
            String key,
            Map<String, Object> condition,
            Map<String, Object> clear) {
        var rule = new java.util.LinkedHashMap<String, Object>();
        rule.put("name", name);
        rule.put("severity", severity);
        rule.put("scope", Map.of("type", "device_type", "device_type", deviceType));
        rule.put("key", key);
        rule.put("condition", condition);
        if (clear != null) {
            rule.put("clear_condition", clear);
        }
        return rule;
    }
}
