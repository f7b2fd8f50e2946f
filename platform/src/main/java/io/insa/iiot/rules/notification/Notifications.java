package io.insa.iiot.rules.notification;

import io.insa.iiot.rules.Rule;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * The notifications of a tenant's alerts: added with the alert change that calls for them, sent once
 * it commits, and read back (delivered, still tried, or dead).
 */
@Service
public class Notifications {

    private final NotificationRepository notifications;
    private final NotificationSender sender;
    private final TenantTransactions transactions;

    Notifications(NotificationRepository notifications, NotificationSender sender, TenantTransactions transactions) {
        this.notifications = notifications;
        this.sender = sender;
        this.transactions = transactions;
    }

    /** One notification per action of the rule, in the transaction of the alert change; sent after its commit. */
    public void add(TenantId tenant, UUID alertId, Rule rule, String event) {
        notifications.add(tenant, alertId, rule, event);
        if (!rule.definition().actions().isEmpty()) {
            TenantTransactions.afterCommit(sender::wake);
        }
    }

    Page<Notification> list(TenantId tenant, String status, UUID alertId, PageRequest page) {
        return transactions.inTenant(
                tenant,
                () -> page.page(notifications.page(status, alertId, page), notifications.count(status, alertId)));
    }
}
