package io.insa.iiot.rules;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of rule evaluation ({@code insa.rules.*}).
 *
 * @param maxPerTenant most rules a tenant may have
 * @param evaluatorThreads evaluation lanes; a device's points always go through the same lane, in order
 * @param queueCapacity committed messages waiting in one lane; when full, the ingest writer waits
 * @param noDataCheckInterval how often no-data rules are checked
 */
@ConfigurationProperties("insa.rules")
public record RulesProperties(
        int maxPerTenant, int evaluatorThreads, int queueCapacity, Duration noDataCheckInterval) {}
