package io.insa.iiot.identity;

import io.insa.iiot.shared.Role;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;

/** Request and response bodies of {@code /api/v1/auth}. */
final class AuthApi {

    private AuthApi() {}

    record LoginRequest(
            @NotBlank @Email @Size(max = 254) String email,
            @NotBlank String password,
            String totpCode) {}

    record RefreshRequest(@NotBlank String refreshToken) {}

    record SwitchTenantRequest(@NotNull UUID tenantId) {}

    record AcceptInviteRequest(
            @NotBlank String token,
            @NotBlank String password,
            @NotBlank @Size(max = 200) String name) {}

    record PasswordChangeRequest(
            @NotBlank String currentPassword, @NotBlank String newPassword) {}

    /** A tenant as seen from one of its members. */
    record TenantSummary(UUID id, String name, String slug, Role role) {}

    record TokenResponse(
            String accessToken,
            String refreshToken,
            String tokenType,
            long expiresIn,
            UserAccount.View user,
            TenantSummary tenant) {}

    record MeResponse(UserAccount.View user, TenantSummary tenant, List<TenantSummary> memberships) {}
}
