package io.insa.iiot.analytics;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of anomaly detection in the server ({@code insa.analytics.*}); the detector's own settings
 * are fixed ({@link AnomalyDetector#DEFAULTS}), the same as {@code ./iiot detect}'s.
 *
 * @param maxModelsPerTenant most series (device and key) a tenant may have scored: a model is about 2 KB
 * @param lanes scoring threads; a device's values always go through the same one, in order
 * @param queueCapacity committed messages waiting in one lane; when full the ingest writer waits up to
 *     5 s, then the values are not scored
 * @param checkpointInterval how often a model that changed is saved
 * @param forecastHorizon values forecast by the predict endpoint
 * @param predictWindow stored values the predict endpoint reads when it is given none
 */
@ConfigurationProperties("insa.analytics")
record AnalyticsProperties(
        int maxModelsPerTenant,
        int lanes,
        int queueCapacity,
        Duration checkpointInterval,
        int forecastHorizon,
        int predictWindow) {}
