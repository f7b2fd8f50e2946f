package io.insa.iiot.tenancy;

import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.ProblemException;
import jakarta.validation.Valid;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The tenant endpoints of SPEC 3.3 (the member endpoints live with identity). */
@RestController
@RequestMapping("/api/v1/tenants")
class TenantController {

    private final Tenants tenants;
    private final TenantAccess access;
    private final TenantReports reports;
    private final int maxPageSize;

    TenantController(
            Tenants tenants,
            TenantAccess access,
            TenantReports reports,
            @Value("${insa.api.max-page-size}") int maxPageSize) {
        this.tenants = tenants;
        this.access = access;
        this.reports = reports;
        this.maxPageSize = maxPageSize;
    }

    @GetMapping
    Page<Tenant> list(
            @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        access.requireSystemAdmin(caller);
        return tenants.list(PageRequest.of(page, size, maxPageSize));
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Tenant create(@AuthenticationPrincipal Caller caller, @Valid @RequestBody TenantRequests.Create request) {
        access.requireSystemAdmin(caller);
        return tenants.create(request, caller);
    }

    @GetMapping("/{id}")
    Tenant get(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return access.requireMember(caller, id);
    }

    @PatchMapping("/{id}")
    Tenant update(
            @AuthenticationPrincipal Caller caller,
            @PathVariable UUID id,
            @Valid @RequestBody TenantRequests.Update request) {
        access.requireAdmin(caller, id);
        if (request.touchesQuotasOrStatus() && !caller.systemAdmin()) {
            throw ProblemException.forbidden("quotas and status can be changed by a system administrator only");
        }
        return tenants.update(id, request, caller);
    }

    @GetMapping("/{id}/stats")
    TenantReports.Stats stats(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return reports.stats(access.requireMember(caller, id));
    }

    @GetMapping("/{id}/quotas")
    TenantReports.Quotas quotas(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return reports.quotas(access.requireMember(caller, id));
    }
}
