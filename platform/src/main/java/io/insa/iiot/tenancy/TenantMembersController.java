package io.insa.iiot.tenancy;

import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.Role;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/tenants/{id}/users}: the member endpoints of SPEC 3.3. */
@RestController
@RequestMapping("/api/v1/tenants/{tenantId}/users")
class TenantMembersController {

    record InviteRequest(
            @NotBlank @Email @Size(max = 254) String email,
            @NotNull Role role) {}

    record RoleRequest(@NotNull Role role) {}

    private final TenantMembers members;
    private final TenantAccess access;
    private final Invitations invitations;
    private final int maxPageSize;

    TenantMembersController(
            TenantMembers members,
            TenantAccess access,
            Invitations invitations,
            @Value("${insa.api.max-page-size}") int maxPageSize) {
        this.members = members;
        this.access = access;
        this.invitations = invitations;
        this.maxPageSize = maxPageSize;
    }

    @GetMapping
    Page<TenantMembers.TenantUser> list(
            @AuthenticationPrincipal Caller caller,
            @PathVariable UUID tenantId,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return members.list(access.requireMember(caller, tenantId), PageRequest.of(page, size, maxPageSize));
    }

    @PostMapping("/invite")
    @ResponseStatus(HttpStatus.CREATED)
    TenantMembers.InviteResult invite(
            @AuthenticationPrincipal Caller caller,
            @PathVariable UUID tenantId,
            @Valid @RequestBody InviteRequest request) {
        return members.invite(caller, access.requireAdmin(caller, tenantId), request.email(), request.role());
    }

    /** The invitations not yet answered (they hold seats): admins only. */
    @GetMapping("/invitations")
    Page<Invitations.Outstanding> invitations(@AuthenticationPrincipal Caller caller, @PathVariable UUID tenantId) {
        List<Invitations.Outstanding> open =
                invitations.outstanding(access.requireAdmin(caller, tenantId).tenantId());
        return new Page<>(open, 0, open.size(), open.size());
    }

    @DeleteMapping("/{userId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void remove(@AuthenticationPrincipal Caller caller, @PathVariable UUID tenantId, @PathVariable UUID userId) {
        members.remove(caller, access.requireAdmin(caller, tenantId), userId);
    }

    @PatchMapping("/{userId}/role")
    TenantMembers.TenantUser changeRole(
            @AuthenticationPrincipal Caller caller,
            @PathVariable UUID tenantId,
            @PathVariable UUID userId,
            @Valid @RequestBody RoleRequest request) {
        return members.changeRole(caller, access.requireAdmin(caller, tenantId), userId, request.role());
    }
}
