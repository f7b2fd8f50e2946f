package io.insa.iiot.shared;

import java.util.Objects;
import java.util.UUID;

/** The id of a tenant; never empty, so "no tenant" is always an explicit {@code null}. */
public record TenantId(UUID value) {

    public TenantId {
        Objects.requireNonNull(value, "tenant id");
    }

    public static TenantId of(UUID value) {
        return new TenantId(value);
    }

    public static TenantId parse(String value) {
        return new TenantId(UUID.fromString(value));
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
