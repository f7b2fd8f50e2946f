package io.insa.iiot.tenancy;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The accounts behind a tenant's members and invited addresses. The user directory answers it; tenancy
 * declares what it needs so that it need not depend on identity.
 */
public interface MemberAccounts {

    /** An account as the member endpoints show it. */
    record Account(UUID id, String email, String name, Status status) {}

    enum Status {
        INVITED,
        ACTIVE,
        DISABLED;

        @JsonValue
        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The address in the form the directory keeps it, so that invitations and accounts match. */
    String normalizeEmail(String email);

    Optional<Account> find(UUID id);

    Optional<Account> findByEmail(String email);

    List<Account> findAll(List<UUID> ids);
}
