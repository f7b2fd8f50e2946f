package io.insa.iiot.rules;

import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.tenancy.TenantAccess;
import io.insa.iiot.tenancy.TenantAccess.Need;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
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
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/rules}: written by the tenant's admins, read by every member (SPEC 6); secrets never shown. */
@RestController
@RequestMapping("/api/v1/rules")
class RuleController {

    private final Rules rules;
    private final TenantAccess access;
    private final int maxPageSize;

    RuleController(Rules rules, TenantAccess access, @Value("${insa.api.max-page-size}") int maxPageSize) {
        this.rules = rules;
        this.access = access;
        this.maxPageSize = maxPageSize;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Rule create(
            @AuthenticationPrincipal Caller caller,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(schema = @Schema(implementation = RuleDefinition.class)))
                    @RequestBody
                    JsonNode body) {
        return rules.create(caller, tenant(caller, Need.ADMIN), body).shown();
    }

    @GetMapping
    Page<Rule> list(
            @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return rules.list(tenant(caller, Need.READ), PageRequest.of(page, size, maxPageSize))
                .map(Rule::shown);
    }

    @GetMapping("/{id}")
    Rule get(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return rules.get(tenant(caller, Need.READ), id).shown();
    }

    @PatchMapping("/{id}")
    Rule update(
            @AuthenticationPrincipal Caller caller,
            @PathVariable UUID id,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(schema = @Schema(implementation = RuleDefinition.class)))
                    @RequestBody
                    JsonNode patch) {
        return rules.update(caller, tenant(caller, Need.ADMIN), id, patch).shown();
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        rules.delete(caller, tenant(caller, Need.ADMIN), id);
    }

    private TenantId tenant(Caller caller, Need need) {
        return access.requireActive(caller, need).tenantId();
    }
}
