package io.insa.iiot.identity;

import io.insa.iiot.shared.UserStatus;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A person who can log in. The password hash never leaves this package. */
public record UserAccount(
        UUID id,
        String email,
        String name,
        String passwordHash,
        boolean admin,
        UserStatus status,
        boolean mfaEnabled,
        OffsetDateTime createdAt,
        OffsetDateTime lastLoginAt) {

    /** The user as the API shows it. */
    public record View(
            UUID id,
            String email,
            String name,
            boolean isAdmin,
            UserStatus status,
            boolean mfaEnabled,
            OffsetDateTime createdAt,
            OffsetDateTime lastLoginAt) {}

    public View view() {
        return new View(id, email, name, admin, status, mfaEnabled, createdAt, lastLoginAt);
    }
}
