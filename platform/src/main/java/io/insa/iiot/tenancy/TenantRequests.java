package io.insa.iiot.tenancy;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Request bodies of the tenant API. */
final class TenantRequests {

    static final String SLUG = "^[a-z0-9][a-z0-9-]{1,62}$";
    static final String SLUG_MESSAGE = "must match " + SLUG;

    private TenantRequests() {}

    record Create(
            @NotBlank @Size(max = 200) String name,

            @NotNull @Pattern(regexp = SLUG, message = SLUG_MESSAGE)
            String slug,

            TenantStatus status,
            @Min(0) Integer maxDevices,
            @Min(0) Integer maxUsers,
            @Min(0) Long maxTelemetryPointsPerDay,
            @Min(1) Integer maxRetentionDays,
            @Min(0) Integer maxMessagesPerSecond,
            Boolean requireMfa) {}

    /** A partial update: absent (or null) fields stay as they are. */
    record Update(
            @Size(min = 1, max = 200) @Pattern(regexp = ".*\\S.*", message = "must not be blank")
            String name,

            @Pattern(regexp = SLUG, message = SLUG_MESSAGE) String slug,
            TenantStatus status,
            @Min(0) Integer maxDevices,
            @Min(0) Integer maxUsers,
            @Min(0) Long maxTelemetryPointsPerDay,
            @Min(1) Integer maxRetentionDays,
            @Min(0) Integer maxMessagesPerSecond,
            /* a tenant's admins may require MFA of its members */
            Boolean requireMfa) {

        /** The fields only a system administrator may change. */
        boolean touchesQuotasOrStatus() {
            return status != null
                    || maxDevices != null
                    || maxUsers != null
                    || maxTelemetryPointsPerDay != null
                    || maxRetentionDays != null
                    || maxMessagesPerSecond != null;
        }

        Tenant applyTo(Tenant t, java.time.OffsetDateTime now) {
            return new Tenant(
                    t.id(),
                    name != null ? name.strip() : t.name(),
                    slug != null ? slug : t.slug(),
                    status != null ? status : t.status(),
                    maxDevices != null ? maxDevices : t.maxDevices(),
                    maxUsers != null ? maxUsers : t.maxUsers(),
                    maxTelemetryPointsPerDay != null ? maxTelemetryPointsPerDay : t.maxTelemetryPointsPerDay(),
                    maxRetentionDays != null ? maxRetentionDays : t.maxRetentionDays(),
                    maxMessagesPerSecond != null ? maxMessagesPerSecond : t.maxMessagesPerSecond(),
                    requireMfa != null ? requireMfa : t.requireMfa(),
                    t.createdAt(),
                    now);
        }
    }
}
