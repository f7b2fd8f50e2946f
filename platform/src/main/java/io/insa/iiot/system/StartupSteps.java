package io.insa.iiot.system;

import org.springframework.boot.actuate.startup.StartupEndpoint;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator's {@code /actuator/startup}, always: Boot adds it only when the start records its steps
 * ({@code insa.startup-steps}, IiotApplication), a condition Spring AOT would decide once at build time,
 * where nothing is recorded. Without recording, its timeline is empty.
 */
@Configuration(proxyBeanMethods = false)
class StartupSteps {

    @Bean
    StartupEndpoint startupEndpoint(ConfigurableApplicationContext context) {
        return new StartupEndpoint(
                context.getApplicationStartup() instanceof BufferingApplicationStartup recorded
                        ? recorded
                        : new BufferingApplicationStartup(1));
    }
}
