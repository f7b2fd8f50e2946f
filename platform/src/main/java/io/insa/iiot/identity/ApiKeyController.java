package io.insa.iiot.identity;

import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.tenancy.TenantAccess;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/api-keys}: the active tenant's API keys, managed by its administrators. */
@RestController
@RequestMapping("/api/v1/api-keys")
class ApiKeyController {

    record CreateRequest(
            @NotBlank @Size(max = 100) String name,
            @NotEmpty List<@NotBlank String> scopes,
            OffsetDateTime expiresAt) {}

    private final ApiKeys keys;
    private final TenantAccess access;
    private final int maxPageSize;

    ApiKeyController(ApiKeys keys, TenantAccess access, @Value("${insa.api.max-page-size}") int maxPageSize) {
        this.keys = keys;
        this.access = access;
        this.maxPageSize = maxPageSize;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    ApiKeys.CreatedApiKey create(@AuthenticationPrincipal Caller caller, @Valid @RequestBody CreateRequest request) {
        return keys.create(caller, activeTenantAdmin(caller), request.name(), request.scopes(), request.expiresAt());
    }

    @GetMapping
    Page<ApiKeys.ApiKey> list(
            @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return keys.list(activeTenantAdmin(caller), PageRequest.of(page, size, maxPageSize));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        keys.revoke(caller, activeTenantAdmin(caller), id);
    }

    private TenantId activeTenantAdmin(Caller caller) {
        return access.requireActive(caller, TenantAccess.Need.ADMIN).tenantId();
    }
}
