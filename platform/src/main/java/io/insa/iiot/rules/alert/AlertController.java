package io.insa.iiot.rules.alert;

import io.insa.iiot.rules.Severity;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.tenancy.TenantAccess;
import io.insa.iiot.tenancy.TenantAccess.Need;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/alerts}: every member reads, operators and admins acknowledge and clear. */
@RestController
class AlertController {

    private static final Set<String> STATUSES = Set.of(Alert.ACTIVE, Alert.ACKNOWLEDGED, Alert.CLEARED);

    private final Alerts alerts;
    private final TenantAccess access;
    private final int maxPageSize;

    AlertController(Alerts alerts, TenantAccess access, @Value("${insa.api.max-page-size}") int maxPageSize) {
        this.alerts = alerts;
        this.access = access;
        this.maxPageSize = maxPageSize;
    }

    @GetMapping("/api/v1/alerts")
    Page<Alert> list(
            @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String severity,
            @RequestParam(name = "device_id", required = false) UUID deviceId,
            @RequestParam(name = "rule_id", required = false) UUID ruleId,
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        TenantId tenant = tenant(caller, Need.READ);
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.badRequest("status", "must be one of active, acknowledged, cleared");
        }
        if (severity != null) {
            try {
                Severity.of(severity);
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("severity", e.getMessage());
            }
        }
        var filter = new AlertRepository.Filter(
                status, severity, deviceId, ruleId, instant("from", from), instant("to", to));
        return alerts.list(tenant, filter, PageRequest.of(page, size, maxPageSize));
    }

    @GetMapping("/api/v1/alerts/{id}")
    Alerts.Detail get(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return alerts.get(tenant(caller, Need.READ), id);
    }

    @PostMapping("/api/v1/alerts/{id}/acknowledge")
    Alert acknowledge(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return alerts.acknowledge(caller, tenant(caller, Need.WRITE), id);
    }

    @PostMapping("/api/v1/alerts/{id}/clear")
    Alert clear(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return alerts.clear(caller, tenant(caller, Need.WRITE), id);
    }

    private TenantId tenant(Caller caller, Need need) {
        return access.requireActive(caller, need).tenantId();
    }

    private static Instant instant(String field, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(field, "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }
}
