package io.insa.iiot.rules;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How bad an alert of a rule is (SPEC 6). */
public enum Severity {
    CRITICAL,
    MAJOR,
    MINOR,
    WARNING;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Severity of(String value) {
        for (Severity s : values()) {
            if (s.value().equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("must be one of critical, major, minor, warning");
    }
}
