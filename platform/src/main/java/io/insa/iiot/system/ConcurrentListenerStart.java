package io.insa.iiot.system;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.context.support.DefaultLifecycleProcessor;

/**
 * The transports' listeners (MQTT, AMQP, CoAP, each with its TLS port) and the other services of the last
 * lifecycle phase start side by side on Spring's bootstrap executor instead of one after the other: none
 * waits for another, and each binds its ports or loads its TLS keys for itself. The start still waits for
 * all of them (health is UP only once they accept), fails if one does, and they stop as before.
 */
@Configuration(proxyBeanMethods = false)
class ConcurrentListenerStart {

    /** Longer than any listener takes to bind; past it the start fails. */
    private static final long TIMEOUT_MILLIS = 120_000;

    @Bean
    static BeanPostProcessor concurrentLastPhase() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String name) {
                if (bean instanceof DefaultLifecycleProcessor processor
                        && name.equals(AbstractApplicationContext.LIFECYCLE_PROCESSOR_BEAN_NAME)) {
                    processor.setConcurrentStartupForPhase(SmartLifecycle.DEFAULT_PHASE, TIMEOUT_MILLIS);
                }
                return bean;
            }
        };
    }
}
