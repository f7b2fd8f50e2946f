package io.insa.iiot.analytics;

import io.insa.iiot.device.Devices;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.telemetry.TelemetryStore;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * {@code POST /api/v1/devices/{id}/predict}: how anomalous the last of some values is for the device's
 * model of the key (a copy of it, from its checkpoint, continued over the values; the model itself is
 * not changed), and a forecast of the next values.
 */
@Service
class Predictions {

    static final double SUSPICIOUS = 0.3;
    static final int MAX_VALUES = 10_000;

    /**
     * The answer: the last value's score, its grade, the threshold, the forecast with its approximate
     * 95 % interval (lower and upper bound of each step), and the period the forecast used (0: none).
     */
    record Prediction(
            double score,
            String grade,
            double threshold,
            double[] forecast,
            int values,
            long modelValues,
            double[] forecastLower,
            double[] forecastUpper,
            int period) {}

    private final Devices devices;
    private final TelemetryStore telemetry;
    private final AnomalySettingsRepository models;
    private final TenantTransactions transactions;
    private final AnalyticsProperties properties;

    Predictions(
            Devices devices,
            TelemetryStore telemetry,
            AnomalySettingsRepository models,
            TenantTransactions transactions,
            AnalyticsProperties properties) {
        this.devices = devices;
        this.telemetry = telemetry;
        this.models = models;
        this.transactions = transactions;
        this.properties = properties;
    }

    Prediction predict(TenantId tenant, UUID deviceId, String key, List<Double> given) {
        if (!devices.exists(tenant, deviceId)) {
            throw ProblemException.notFound("device " + deviceId);
        }
        List<Double> values =
                given != null ? given : telemetry.recentNumbers(tenant, deviceId, key, properties.predictWindow());
        if (values.isEmpty()) {
            throw ProblemException.badRequest("values", "none given, and the device has no numeric value of " + key);
        }
        AnomalyDetector detector = transactions
                .inTenant(tenant, () -> models.checkpoint(deviceId, key))
                .map(state -> AnomalyDetector.restore(AnomalyDetector.DEFAULTS, state))
                .orElseGet(AnomalyDetector::new);
        long known = detector.seen();
        double score = 0;
        for (double value : values) {
            score = detector.score(value);
        }
        String grade = score >= AnomalyDetector.THRESHOLD ? "anomalous" : score >= SUSPICIOUS ? "suspicious" : "normal";
        Forecast.Outlook outlook = Forecast.predict(values, properties.forecastHorizon());
        return new Prediction(
                score,
                grade,
                AnomalyDetector.THRESHOLD,
                outlook.forecast(),
                values.size(),
                known,
                outlook.lower(),
                outlook.upper(),
                outlook.period());
    }
}
