package io.insa.iiot.tenancy;

import io.insa.iiot.shared.UserStatus;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The accounts behind a tenant's members and invited addresses. The user directory answers it; tenancy
 * declares what it needs so that it need not depend on identity.
 */
public interface MemberAccounts {

    /** An account as the member endpoints show it. */
    record Account(UUID id, String email, String name, UserStatus status) {}

    /** The address in the form the directory keeps it, so that invitations and accounts match. */
    String normalizeEmail(String email);

    Optional<Account> find(UUID id);

    Optional<Account> findByEmail(String email);

    List<Account> findAll(List<UUID> ids);
}
