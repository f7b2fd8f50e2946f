package io.insa.iiot.rules.notification;

import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.tenancy.TenantAccess;
import io.insa.iiot.tenancy.TenantAccess.Need;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/notifications}: what each alert's actions came to, dead ones included; every member reads. */
@RestController
class NotificationController {

    private static final Set<String> STATUSES = Set.of(Notification.PENDING, Notification.DELIVERED, Notification.DEAD);

    private final Notifications notifications;
    private final TenantAccess access;
    private final int maxPageSize;

    NotificationController(
            Notifications notifications, TenantAccess access, @Value("${insa.api.max-page-size}") int maxPageSize) {
        this.notifications = notifications;
        this.access = access;
        this.maxPageSize = maxPageSize;
    }

    @GetMapping("/api/v1/notifications")
    Page<Notification> notifications(
            @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) String status,
            @RequestParam(name = "alert_id", required = false) UUID alertId,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        TenantId tenant = access.requireActive(caller, Need.READ).tenantId();
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.badRequest("status", "must be one of pending, delivered, dead");
        }
        return notifications.list(tenant, status, alertId, PageRequest.of(page, size, maxPageSize));
    }
}
