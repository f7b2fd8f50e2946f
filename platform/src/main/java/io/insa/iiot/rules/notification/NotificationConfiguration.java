package io.insa.iiot.rules.notification;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The webhook client and its address guard, configured from {@code insa.notify.webhook.*}. */
@Configuration(proxyBeanMethods = false)
class NotificationConfiguration {

    @Bean
    WebhookAddresses webhookAddresses(NotificationProperties properties) {
        return new WebhookAddresses(properties.webhook().allowPrivateAddresses());
    }

    @Bean(destroyMethod = "close")
    WebhookSender webhookSender(WebhookAddresses addresses, NotificationProperties properties) {
        return new WebhookSender(addresses, properties.webhook().timeout());
    }
}
