package io.insa.iiot.transport;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The Vert.x instance the socket-based transports (MQTT, AMQP) run on. */
@Configuration(proxyBeanMethods = false)
class VertxConfiguration {

    @Bean(destroyMethod = "close")
    Vertx vertx() {
        return Vertx.vertx(
                new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors()));
    }
}
