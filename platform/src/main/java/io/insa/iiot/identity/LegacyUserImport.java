package io.insa.iiot.identity;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.UserStatus;
import io.insa.iiot.tenancy.TenantAccess;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/admin/users/import}: brings users over from the legacy platform with their
 * unsalted SHA-256 password hashes; their first successful login replaces the hash with bcrypt.
 */
@RestController
class LegacyUserImport {

    record LegacyUser(
            @NotBlank @Email @Size(max = 254) String email,
            @Size(max = 200) String name,

            @NotBlank @Pattern(regexp = "^[0-9a-fA-F]{64}$", message = "must be 64 hex characters (SHA-256)")
            String passwordSha256) {}

    record ImportRequest(@NotEmpty @Size(max = 10_000) List<@Valid LegacyUser> users) {}

    record ImportResult(int created, List<String> skipped) {}

    private final UserAccounts users;
    private final TenantAccess access;
    private final AuditLog audit;
    private final TenantTransactions transactions;

    LegacyUserImport(UserAccounts users, TenantAccess access, AuditLog audit, TenantTransactions transactions) {
        this.users = users;
        this.access = access;
        this.audit = audit;
        this.transactions = transactions;
    }

    @PostMapping("/api/v1/admin/users/import")
    ImportResult importUsers(@AuthenticationPrincipal Caller caller, @Valid @RequestBody ImportRequest request) {
        access.requireSystemAdmin(caller);
        List<String> skipped = new ArrayList<>();
        // the users and their audit entry commit together
        int created = transactions.global(() -> {
            int count = 0;
            for (LegacyUser u : request.users()) {
                if (users.findByEmail(u.email()).isPresent()) {
                    skipped.add(UserAccounts.normalizeEmail(u.email()));
                    continue;
                }
                users.create(
                        u.email(),
                        u.name() == null ? "" : u.name(),
                        Passwords.legacy(u.passwordSha256()),
                        false,
                        UserStatus.ACTIVE);
                count++;
            }
            audit.record(AuditEvent.success(null, AuditEvent.Actor.of(caller), "user.import", "user", null)
                    .withDetail("created", count)
                    .withDetail("skipped", skipped.size()));
            return count;
        });
        return new ImportResult(created, skipped);
    }
}
