package io.insa.iiot.shared;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class TimeConfiguration {

    /** The platform's clock; tests replace it to cross day boundaries and expiry times. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
