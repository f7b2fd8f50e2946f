package io.insa.iiot.tenancy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

public enum TenantStatus {
    ACTIVE,
    SUSPENDED;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static TenantStatus of(String value) {
        for (TenantStatus s : values()) {
            if (s.value().equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("status must be active or suspended");
    }
}
