package io.insa.iiot.rules;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The webhook client and its address guard, configured from {@code insa.notify.webhook.*}. */
@Configuration(proxyBeanMethods = false)
class NotifyConfiguration {

    @Bean
    WebhookAddresses webhookAddresses(NotifyProperties properties) {
        return new WebhookAddresses(properties.webhook().allowPrivateAddresses());
    }

    @Bean(destroyMethod = "close")
    WebhookSender webhookSender(WebhookAddresses addresses, NotifyProperties properties) {
        return new WebhookSender(addresses, properties.webhook().timeout());
    }
}
