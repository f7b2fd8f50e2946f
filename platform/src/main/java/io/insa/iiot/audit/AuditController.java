package io.insa.iiot.audit;

import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Csv;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import java.util.Arrays;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v1/audit} and its CSV export. Tenant administrators see their active tenant, system
 * administrators everything (optionally one tenant).
 */
@RestController
@RequestMapping("/api/v1/audit")
class AuditController {

    private static final int EXPORT_LIMIT = 100_000;

    private final AuditRepository audit;
    private final AuditAccess access;
    private final TenantTransactions transactions;
    private final JsonMapper json;
    private final int maxPageSize;

    AuditController(
            AuditRepository audit,
            AuditAccess access,
            TenantTransactions transactions,
            JsonMapper json,
            @Value("${insa.api.max-page-size}") int maxPageSize) {
        this.audit = audit;
        this.access = access;
        this.transactions = transactions;
        this.json = json;
        this.maxPageSize = maxPageSize;
    }

    @GetMapping
    Page<AuditEntry> search(
            @AuthenticationPrincipal Caller caller,
            AuditFilter filter,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        PageRequest request = PageRequest.of(page, size, maxPageSize);
        return query(
                caller,
                filter,
                (f, all) -> request.page(
                        all
                                ? audit.findAll(f, request.size(), request.offset())
                                : audit.findInTenant(f, request.size(), request.offset()),
                        all ? audit.countAll(f) : audit.countInTenant(f)));
    }

    @GetMapping(value = "/export", produces = "text/csv")
    ResponseEntity<String> export(@AuthenticationPrincipal Caller caller, AuditFilter filter) {
        List<AuditEntry> rows = query(
                caller,
                filter,
                (f, all) -> all ? audit.findAll(f, EXPORT_LIMIT, 0) : audit.findInTenant(f, EXPORT_LIMIT, 0));
        return ResponseEntity.ok()
                .contentType(new MediaType("text", "csv"))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\"")
                .body(AuditCsv.write(rows, json));
    }

    private interface Query<T> {
        T run(AuditFilter filter, boolean allTenants);
    }

    private <T> T query(Caller caller, AuditFilter filter, Query<T> query) {
        if (caller.systemAdmin() && !caller.isApiKey()) {
            return transactions.global(() -> query.run(filter, true));
        }
        TenantId tenant = caller.activeTenant();
        if (tenant == null || caller.isApiKey() || !access.isTenantAdmin(caller.userId(), tenant)) {
            throw ProblemException.forbidden(
                    "the audit log is open to tenant administrators and system administrators");
        }
        if (filter.tenantId() != null && !filter.tenantId().equals(tenant.value())) {
            throw ProblemException.forbidden("tenant_id: only the active tenant's audit log is visible");
        }
        return transactions.inTenant(tenant, () -> query.run(filter, false));
    }

    /** The CSV of audit rows (RFC 4180, written by {@link Csv}). */
    static final class AuditCsv {

        static final List<String> HEADER = List.of(
                "id",
                "at",
                "tenant_id",
                "actor_type",
                "actor_id",
                "actor_label",
                "action",
                "target_type",
                "target_id",
                "client_ip",
                "user_agent",
                "outcome",
                "details");

        private AuditCsv() {}

        static String write(List<AuditEntry> rows, JsonMapper json) {
            StringBuilder out = new StringBuilder(Csv.line(HEADER));
            for (AuditEntry e : rows) {
                out.append(Csv.line(Arrays.asList(
                        e.id(),
                        e.at(),
                        e.tenantId(),
                        e.actorType(),
                        e.actorId(),
                        e.actorLabel(),
                        e.action(),
                        e.targetType(),
                        e.targetId(),
                        e.clientIp(),
                        e.userAgent(),
                        e.outcome(),
                        json.writeValueAsString(e.details()))));
            }
            return out.toString();
        }
    }
}
