package io.insa.iiot.rules;

import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** Reading the notifications of a tenant's alerts: delivered, still tried, or dead. */
@Service
class Notifications {

    private final NotificationRepository notifications;
    private final TenantTransactions transactions;

    Notifications(NotificationRepository notifications, TenantTransactions transactions) {
        this.notifications = notifications;
        this.transactions = transactions;
    }

    Page<Notification> list(TenantId tenant, String status, UUID alertId, PageRequest page) {
        return transactions.inTenant(
                tenant,
                () -> page.page(notifications.page(status, alertId, page), notifications.count(status, alertId)));
    }
}
