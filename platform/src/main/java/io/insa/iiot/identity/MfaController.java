package io.insa.iiot.identity;

import io.insa.iiot.shared.Caller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** TOTP multi-factor authentication: enrol, confirm, disable; and a system admin's reset (SPEC 9). */
@RestController
class MfaController {

    record PasswordRequest(@NotBlank String password) {}

    record CodeRequest(@NotBlank String code) {}

    record DisableRequest(
            @NotBlank String password, @NotBlank String code) {}

    /** {@code qr_code}: a data: URI of a PNG image of {@code otpauth_uri}, for the authenticator app to scan. */
    record EnrollResponse(String secret, String otpauthUri, String qrCode) {}

    record ConfirmResponse(List<String> recoveryCodes) {}

    private final MfaSettings settings;

    MfaController(MfaSettings settings) {
        this.settings = settings;
    }

    @PostMapping("/api/v1/auth/mfa/enroll")
    EnrollResponse enroll(@AuthenticationPrincipal Caller caller, @Valid @RequestBody PasswordRequest request) {
        Mfa.Enrolment enrolment = settings.enroll(caller, request.password());
        return new EnrollResponse(enrolment.secret(), enrolment.otpauthUri(), enrolment.qrCode());
    }

    @PostMapping("/api/v1/auth/mfa/confirm")
    ConfirmResponse confirm(@AuthenticationPrincipal Caller caller, @Valid @RequestBody CodeRequest request) {
        return new ConfirmResponse(settings.confirm(caller, request.code()));
    }

    @PostMapping("/api/v1/auth/mfa/disable")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void disable(@AuthenticationPrincipal Caller caller, @Valid @RequestBody DisableRequest request) {
        settings.disable(caller, request.password(), request.code());
    }

    @PostMapping("/api/v1/admin/users/{id}/mfa/reset")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void reset(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        settings.reset(caller, id);
    }
}
