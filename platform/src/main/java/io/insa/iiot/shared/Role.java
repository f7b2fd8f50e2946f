package io.insa.iiot.shared;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A member's role in a tenant. */
public enum Role {
    ADMIN,
    OPERATOR,
    VIEWER;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Strict: only the lower-case names of the API are accepted. */
    @JsonCreator
    public static Role of(String value) {
        return Arrays.stream(values())
                .filter(r -> r.value().equals(value))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("role must be one of admin, operator, viewer"));
    }

    public boolean isAdmin() {
        return this == ADMIN;
    }

    /** What a member with this role may do; carried in access tokens as {@code permissions}. */
    public List<String> permissions() {
        return switch (this) {
            case ADMIN -> List.of("tenant:read", "tenant:write", "users:manage", "api-keys:manage", "audit:read");
            case OPERATOR -> List.of("tenant:read");
            case VIEWER -> List.of("tenant:read");
        };
    }
}
