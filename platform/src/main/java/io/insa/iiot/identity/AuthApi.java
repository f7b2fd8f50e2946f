package io.insa.iiot.identity;

import io.insa.iiot.shared.Role;
import io.insa.iiot.tenancy.Invitations;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Request and response bodies of {@code /api/v1/auth}. */
final class AuthApi {

    private AuthApi() {}

    record LoginRequest(
            @NotBlank @Email @Size(max = 254) String email,
            @NotBlank String password,
            String totpCode,
            String recoveryCode) {}

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

    /** An open invitation as its addressee sees it in {@code GET /api/v1/auth/invitations}. */
    record InvitationSummary(
            UUID id,
            UUID tenantId,
            String tenantName,
            String tenantSlug,
            Role role,
            OffsetDateTime invitedAt,
            OffsetDateTime expiresAt) {

        static InvitationSummary of(Invitations.Open i) {
            return new InvitationSummary(
                    i.id(),
                    i.tenantId().value(),
                    i.tenantName(),
                    i.tenantSlug(),
                    i.role(),
                    i.invitedAt(),
                    i.expiresAt());
        }
    }

    /** {@code mfaEnrollmentRequired}: a tenant of the user requires MFA, which the user has not set up. */
    record MeResponse(
            UserAccount.View user,
            TenantSummary tenant,
            List<TenantSummary> memberships,
            boolean mfaEnrollmentRequired) {}
}
