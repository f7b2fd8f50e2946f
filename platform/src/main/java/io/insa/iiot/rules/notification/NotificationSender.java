package io.insa.iiot.rules.notification;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.command.Commands;
import io.insa.iiot.rules.RuleAction;
import io.insa.iiot.rules.alert.Alert;
import io.insa.iiot.rules.alert.AlertRepository;
import io.insa.iiot.rules.alert.Alerts;
import io.insa.iiot.shared.Smtp;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends the notifications: at once when an alert change commits on this node, and every
 * {@code insa.notify.poll-interval} for the rest (retries, other nodes' alerts), due notifications of
 * every tenant are claimed (leased, so no other poll or node takes them meanwhile), delivered outside
 * any transaction, and their outcome recorded with a history line on the alert. A failed try is repeated after a delay that doubles each time; after
 * {@code insa.notify.max-attempts} the notification is dead and stays visible in the API.
 */
@Component
class NotificationSender implements SmartLifecycle, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(NotificationSender.class);
    private static final int CLAIM_BATCH = 50;
    private static final int CONCURRENT_DELIVERIES = 32;

    /** What one try came to; {@code hopeless}: no later try can do better (no retry). */
    private record Outcome(boolean delivered, String error, boolean hopeless) {
        Outcome(boolean delivered, String error) {
            this(delivered, error, false);
        }
    }

    static final String UNOPENABLE_SECRET = "the webhook's secret cannot be opened with the platform's secrets keys"
            + " (insa.secrets.key, insa.secrets.previous-keys): give the rule's webhook its secret again";

    private final NotificationRepository notifications;
    private final AlertRepository alerts;
    private final TenantTransactions transactions;
    private final WebhookSender webhooks;
    private final WebhookSecrets secrets;
    private final Smtp smtp;
    private final Commands commands;
    private final JsonMapper json;
    private final Clock clock;
    private final NotificationProperties properties;
    private final String mailFrom;
    private final Duration lease;
    private final MeterRegistry registry;
    private final ExecutorService deliveries = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore slots = new Semaphore(CONCURRENT_DELIVERIES);
    private final Semaphore wakeups = new Semaphore(0);
    /** Sealed secrets found unopenable, so that each is logged once. */
    private final java.util.Set<String> unopenable = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private volatile boolean running;
    private Thread poller;

    NotificationSender(
            NotificationRepository notifications,
            AlertRepository alerts,
            TenantTransactions transactions,
            WebhookSender webhooks,
            WebhookSecrets secrets,
            Smtp smtp,
            Commands commands,
            JsonMapper json,
            Clock clock,
            NotificationProperties properties,
            @Value("${insa.mail.from}") String mailFrom,
            MeterRegistry registry) {
        this.notifications = notifications;
        this.alerts = alerts;
        this.transactions = transactions;
        this.webhooks = webhooks;
        this.secrets = secrets;
        this.smtp = smtp;
        this.commands = commands;
        this.json = json;
        this.clock = clock;
        this.properties = properties;
        this.mailFrom = mailFrom;
        this.registry = registry;
        // a try never outlasts its lease: the webhook timeout covers connect and answer
        this.lease = properties.webhook().timeout().multipliedBy(3).plusSeconds(30);
    }

    /** New notifications were committed: look now rather than at the next poll. */
    void wake() {
        wakeups.release();
    }

    @Override
    public void start() {
        running = true;
        poller = Thread.ofVirtual().name("notification-poller").start(() -> {
            while (running) {
                try {
                    wakeups.tryAcquire(properties.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                    wakeups.drainPermits();
                } catch (InterruptedException e) {
                    return;
                }
                poll();
            }
        });
    }

    @Override
    public void stop() {
        running = false;
        if (poller != null) {
            poller.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    void poll() {
        int free = slots.availablePermits();
        if (free == 0) {
            return;
        }
        List<NotificationRepository.Claimed> claimed;
        try {
            claimed = transactions.global(() -> notifications.claim(Math.min(free, CLAIM_BATCH), lease));
        } catch (RuntimeException e) {
            log.warn("notifications not polled: {}", e.toString());
            return;
        }
        for (NotificationRepository.Claimed notification : claimed) {
            slots.acquireUninterruptibly();
            deliveries.submit(() -> {
                try {
                    deliver(notification);
                } catch (RuntimeException e) {
                    // the lease runs out and the notification is tried again
                    log.warn("notification {} not delivered: {}", notification.id(), e.toString());
                } finally {
                    slots.release();
                }
            });
        }
    }

    private void deliver(NotificationRepository.Claimed claimed) {
        var found = transactions.inTenant(
                claimed.tenant(),
                () -> notifications
                        .due(claimed.id())
                        .flatMap(due -> alerts.find(due.alertId()).map(alert -> Map.entry(due, alert))));
        if (found.isEmpty()) {
            return;
        }
        NotificationRepository.Due due = found.get().getKey();
        Alert alert = found.get().getValue();
        Outcome outcome = attempt(due, alert);
        int attempt = due.attempts() + 1;
        Duration retryAfter = attempt >= properties.maxAttempts() || outcome.hopeless()
                ? null
                : properties.retryInitial().multipliedBy(1L << Math.min(attempt - 1, 20));
        String type = NotificationRepository.typeOf(due.action());
        String result = outcome.delivered() ? Notification.DELIVERED : retryAfter == null ? Notification.DEAD : "retry";
        registry.counter("insa.notifications", "type", type, "outcome", result).increment();
        transactions.inTenant(due.tenant(), () -> {
            if (outcome.delivered()) {
                notifications.delivered(due.id());
            } else {
                notifications.failed(due.id(), outcome.error(), retryAfter);
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("notification_id", due.id().toString());
            details.put("type", type);
            details.put("target", NotificationRepository.targetOf(due.action()));
            details.put("event", due.event());
            details.put("attempt", attempt);
            details.put("outcome", result);
            details.put("error", outcome.error());
            alerts.history(
                    due.tenant(), alert.id(), Times.now(clock).toInstant(), "notification", Alerts.SYSTEM, details);
        });
    }

    private Outcome attempt(NotificationRepository.Due due, Alert alert) {
        byte[] body = json.writeValueAsBytes(Map.of("event", due.event(), "alert", alert));
        return switch (due.action()) {
            case RuleAction.Webhook webhook -> {
                WebhookSender.Delivery delivery = webhooks.post(webhook.url(), webhook.secret(), body);
                yield new Outcome(delivery.delivered(), delivery.error());
            }
            case RuleAction.SealedWebhook webhook -> {
                String secret;
                try {
                    secret = secrets.open(webhook);
                } catch (IllegalStateException e) {
                    if (unopenable.add(webhook.sealedSecret())) { // once per stored secret, not per alert
                        log.error(
                                "a webhook secret of tenant {} cannot be opened; its deliveries fail: {}",
                                due.tenant(),
                                e.getMessage());
                    }
                    yield new Outcome(false, UNOPENABLE_SECRET, true);
                }
                WebhookSender.Delivery delivery = webhooks.post(webhook.url(), secret, body);
                yield new Outcome(delivery.delivered(), delivery.error());
            }
            case RuleAction.Email email -> mail(email, due.event(), alert, body);
            case RuleAction.Command command -> {
                boolean delivered = commands.deliver(
                        due.tenant(),
                        command.deviceId(),
                        command.method(),
                        json.writeValueAsString(command.params()),
                        AuditEvent.Actor.system());
                yield new Outcome(delivered, delivered ? null : "the device is offline or gone");
            }
            // answers a device's request when it asks; an alert never carries one (RuleDefinition)
            case RuleAction.RpcReply reply -> new Outcome(false, "an rpc_reply answers requests, not alerts", true);
        };
    }

    private Outcome mail(RuleAction.Email email, String event, Alert alert, byte[] body) {
        Optional<JavaMailSender> sender = smtp.sender();
        if (sender.isEmpty()) {
            return new Outcome(false, "no SMTP server is configured (spring.mail.host)");
        }
        SimpleMailMessage message = new SimpleMailMessage();
        message.setFrom(mailFrom);
        message.setTo(email.to().toArray(String[]::new));
        message.setSubject("[INSA IIoT] " + alert.severity() + " alert " + event + ": " + alert.ruleName() + " on "
                + alert.deviceName());
        message.setText("The " + alert.severity() + " alert of rule '" + alert.ruleName() + "' on device '"
                + alert.deviceName() + "' was " + event + ".\n\nKey: " + alert.key() + "\nValue: " + alert.value()
                + "\nStarted: " + alert.startedAt() + "\nStatus: " + alert.status() + "\n\nThe alert as JSON:\n"
                + new String(body, java.nio.charset.StandardCharsets.UTF_8) + "\n");
        try {
            sender.get().send(message);
            return new Outcome(true, null);
        } catch (MailException e) {
            return new Outcome(false, "SMTP: " + e.getMessage());
        }
    }

    @Override
    public void destroy() {
        deliveries.shutdownNow();
    }
}
