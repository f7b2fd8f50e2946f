package io.insa.iiot.identity;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

public enum UserStatus {
    INVITED,
    ACTIVE,
    DISABLED;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    static UserStatus of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
