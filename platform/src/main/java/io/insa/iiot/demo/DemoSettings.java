package io.insa.iiot.demo;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The demo plant ({@code insa.demo.*}).
 *
 * @param enabled whether the demo runs ({@code ./iiot start --demo})
 * @param tenantSlug the demo tenant's slug; its administrator is {@code admin@<slug>.local}
 * @param interval how often each simulated device publishes
 * @param opcuaPort the port of the demo's OPC UA line (0 picks a free one)
 */
@ConfigurationProperties("insa.demo")
record DemoSettings(boolean enabled, String tenantSlug, Duration interval, int opcuaPort) {

    String adminEmail() {
        return "admin@" + tenantSlug + ".local";
    }
}
