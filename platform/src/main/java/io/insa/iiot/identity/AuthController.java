package io.insa.iiot.identity;

import io.insa.iiot.identity.AuthApi.AcceptInviteRequest;
import io.insa.iiot.identity.AuthApi.InvitationSummary;
import io.insa.iiot.identity.AuthApi.LoginRequest;
import io.insa.iiot.identity.AuthApi.MeResponse;
import io.insa.iiot.identity.AuthApi.PasswordChangeRequest;
import io.insa.iiot.identity.AuthApi.RefreshRequest;
import io.insa.iiot.identity.AuthApi.SwitchTenantRequest;
import io.insa.iiot.identity.AuthApi.TenantSummary;
import io.insa.iiot.identity.AuthApi.TokenResponse;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.ClientInfo;
import io.insa.iiot.shared.Page;
import jakarta.validation.Valid;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/auth")
class AuthController {

    private final AuthService auth;
    private final InvitationAnswers invitations;

    AuthController(AuthService auth, InvitationAnswers invitations) {
        this.auth = auth;
        this.invitations = invitations;
    }

    @PostMapping("/login")
    TokenResponse login(@Valid @RequestBody LoginRequest request) {
        return auth.login(
                request.email(),
                request.password(),
                request.totpCode(),
                request.recoveryCode(),
                ClientInfo.current().ip());
    }

    @PostMapping("/refresh")
    TokenResponse refresh(@Valid @RequestBody RefreshRequest request) {
        return auth.refresh(request.refreshToken());
    }

    @PostMapping("/logout")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void logout(@AuthenticationPrincipal Caller caller) {
        auth.logout(caller);
    }

    @GetMapping("/me")
    MeResponse me(@AuthenticationPrincipal Caller caller) {
        return auth.me(caller);
    }

    @PostMapping("/switch-tenant")
    TokenResponse switchTenant(
            @AuthenticationPrincipal Caller caller, @Valid @RequestBody SwitchTenantRequest request) {
        return auth.switchTenant(caller, request.tenantId());
    }

    @PostMapping("/accept-invite")
    TokenResponse acceptInvite(@Valid @RequestBody AcceptInviteRequest request) {
        return auth.acceptInvite(request.token(), request.password(), request.name());
    }

    /** The open invitations addressed to the logged-in user's e-mail, in every tenant. */
    @GetMapping("/invitations")
    Page<InvitationSummary> invitations(@AuthenticationPrincipal Caller caller) {
        List<InvitationSummary> open = invitations.open(caller);
        return new Page<>(open, 0, open.size(), open.size());
    }

    @PostMapping("/invitations/{id}/accept")
    TenantSummary acceptInvitation(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return invitations.accept(caller, id);
    }

    @PostMapping("/invitations/{id}/decline")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void declineInvitation(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        invitations.decline(caller, id);
    }

    @PostMapping("/password")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void changePassword(@AuthenticationPrincipal Caller caller, @Valid @RequestBody PasswordChangeRequest request) {
        auth.changePassword(caller, request.currentPassword(), request.newPassword());
    }
}
