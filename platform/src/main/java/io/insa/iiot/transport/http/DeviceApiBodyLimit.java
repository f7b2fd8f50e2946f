package io.insa.iiot.transport.http;

import io.insa.iiot.shared.BodyLimit;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/**
 * The HTTP device API reads at most {@code insa.ingest.max-payload-bytes} itself and answers a larger
 * payload 400 like every other bad payload (SPEC 5, as MQTT, CoAP and AMQP do), so the API's general
 * body cap stays out of its way.
 */
@Configuration(proxyBeanMethods = false)
class DeviceApiBodyLimit {

    @Bean
    BodyLimit deviceApiReadsItsOwnBody() {
        return new BodyLimit(
                HttpMethod.POST,
                List.of(
                        "/api/v1/{token}/telemetry",
                        "/api/v1/{token}/attributes",
                        "/api/v1/{token}/rpc",
                        "/api/v1/{token}/rpc/{commandId}"),
                BodyLimit.READ_BY_HANDLER);
    }
}
