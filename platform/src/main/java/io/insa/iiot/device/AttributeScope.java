package io.insa.iiot.device;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/**
 * The three kinds of device attributes of ThingsBoard's device API (SPEC 4.3): client attributes are
 * what the device reports; shared attributes are set through the API and delivered to the device on
 * request and on change; server attributes are set through the API and never sent to the device.
 */
public enum AttributeScope {
    CLIENT,
    SHARED,
    SERVER;

    /** The name the API and the database use. */
    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<AttributeScope> of(String key) {
        for (AttributeScope scope : values()) {
            if (scope.key().equals(key)) {
                return Optional.of(scope);
            }
        }
        return Optional.empty();
    }
}
