package io.insa.iiot.rules.notification;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of alert notifications ({@code insa.notify.*}).
 *
 * @param maxAttempts tries of one notification before it is kept as dead
 * @param retryInitial the wait after the first failed try, doubled after each further one
 * @param pollInterval how often due notifications are looked for
 */
@ConfigurationProperties("insa.notify")
record NotificationProperties(Webhook webhook, int maxAttempts, Duration retryInitial, Duration pollInterval) {

    /**
     * @param allowPrivateAddresses whether webhooks may reach loopback, private, link-local and
     *     metadata addresses, and use plain http (off: server-side request forgery guard)
     * @param timeout connect and answer timeout of one try
     */
    record Webhook(boolean allowPrivateAddresses, Duration timeout) {}
}
