package io.insa.iiot.device;

import io.insa.iiot.shared.BodyLimit;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/** Bulk provisioning takes up to 10,000 devices a call: a larger body cap than the API's default. */
@Configuration(proxyBeanMethods = false)
class BulkBodyLimit {

    @Bean
    BodyLimit bulkProvisioningBody(@Value("${insa.http.max-bulk-body-bytes}") long maxBytes) {
        return new BodyLimit(HttpMethod.POST, List.of("/api/v1/devices/bulk"), maxBytes);
    }
}
