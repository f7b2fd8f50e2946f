package io.insa.iiot.shared;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where an account stands: the user directory keeps it, the member endpoints show it. */
public enum UserStatus {
    INVITED,
    ACTIVE,
    DISABLED;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static UserStatus of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
