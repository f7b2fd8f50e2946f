package io.insa.iiot.identity;

import io.insa.iiot.identity.AuthApi.AcceptInviteRequest;
import io.insa.iiot.identity.AuthApi.LoginRequest;
import io.insa.iiot.identity.AuthApi.MeResponse;
import io.insa.iiot.identity.AuthApi.PasswordChangeRequest;
import io.insa.iiot.identity.AuthApi.RefreshRequest;
import io.insa.iiot.identity.AuthApi.SwitchTenantRequest;
import io.insa.iiot.identity.AuthApi.TokenResponse;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.ClientInfo;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/auth")
class AuthController {

    private final AuthService auth;

    AuthController(AuthService auth) {
        this.auth = auth;
    }

    @PostMapping("/login")
    TokenResponse login(@Valid @RequestBody LoginRequest request) {
        return auth.login(
                request.email(), request.password(), ClientInfo.current().ip());
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

    @PostMapping("/password")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void changePassword(@AuthenticationPrincipal Caller caller, @Valid @RequestBody PasswordChangeRequest request) {
        auth.changePassword(caller, request.currentPassword(), request.newPassword());
    }
}
