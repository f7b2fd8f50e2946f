package io.insa.iiot.system;

import java.util.Map;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/health}: public, says whether the platform is up and reveals nothing else. Also
 * answers {@code /actuator/health} on the main port, for load balancers that probe there: Actuator
 * itself listens on the management port (loopback), and Boot can put only one-segment paths of a
 * health group on the main port.
 */
@RestController
class HealthController {

    private final HealthEndpoint health;

    HealthController(HealthEndpoint health) {
        this.health = health;
    }

    @GetMapping({"/api/v1/health", "/actuator/health"})
    ResponseEntity<Map<String, String>> health() {
        String status = health.health().getStatus().getCode();
        return ResponseEntity.status("UP".equals(status) ? 200 : 503).body(Map.of("status", status));
    }
}
