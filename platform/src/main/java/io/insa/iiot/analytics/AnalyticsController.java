package io.insa.iiot.analytics;

import io.insa.iiot.device.DeviceScope;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.tenancy.TenantAccess;
import io.insa.iiot.tenancy.TenantAccess.Need;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code /api/v1/analytics/anomaly}: which series of the tenant are scored (admins change it, members
 * read it); {@code POST /api/v1/devices/{id}/predict}: a score and a forecast on demand.
 */
@RestController
class AnalyticsController {

    /** The settings as the API shows them, with the threshold and how many models exist. */
    record SettingsView(
            boolean enabled,
            DeviceScope scope,
            List<String> keys,
            double threshold,
            long models,
            int maxModels,
            Instant updatedAt) {}

    /** A change of the settings as the description shows it; {@link AnomalyConfig} reads the JSON strictly. */
    record SettingsPatch(
            Boolean enabled,
            DeviceScope scope,

            @ArraySchema(maxItems = AnomalyConfig.MAX_KEYS, arraySchema = @Schema(description = "telemetry keys"))
            List<String> keys) {}

    record PredictRequest(String key, List<Double> values) {}

    private final AnomalyConfig config;
    private final Predictions predictions;
    private final TenantAccess access;
    private final AnalyticsProperties properties;

    AnalyticsController(
            AnomalyConfig config, Predictions predictions, TenantAccess access, AnalyticsProperties properties) {
        this.config = config;
        this.predictions = predictions;
        this.access = access;
        this.properties = properties;
    }

    @GetMapping("/api/v1/analytics/anomaly")
    SettingsView settings(@AuthenticationPrincipal Caller caller) {
        TenantId tenant = tenant(caller, Need.READ);
        return view(tenant, config.of(tenant));
    }

    @PatchMapping("/api/v1/analytics/anomaly")
    SettingsView update(
            @AuthenticationPrincipal Caller caller,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(schema = @Schema(implementation = SettingsPatch.class)))
                    @RequestBody
                    JsonNode patch) {
        TenantId tenant = tenant(caller, Need.ADMIN);
        return view(tenant, config.update(caller, tenant, patch));
    }

    @PostMapping("/api/v1/devices/{id}/predict")
    Predictions.Prediction predict(
            @AuthenticationPrincipal Caller caller, @PathVariable UUID id, @RequestBody PredictRequest request) {
        TenantId tenant = tenant(caller, Need.READ);
        if (request.key() == null || request.key().isBlank()) {
            throw ProblemException.badRequest("key", "is required");
        }
        List<Double> values = request.values();
        if (values != null) {
            if (values.isEmpty() || values.size() > Predictions.MAX_VALUES) {
                throw ProblemException.badRequest(
                        "values", "must hold 1 to " + Predictions.MAX_VALUES + " numbers, or be left out");
            }
            values = new ArrayList<>(values);
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) == null || !Double.isFinite(values.get(i))) {
                    throw ProblemException.badRequest("values[" + i + "]", "must be a finite number");
                }
            }
        }
        return predictions.predict(tenant, id, request.key(), values);
    }

    private SettingsView view(TenantId tenant, AnomalySettings settings) {
        return new SettingsView(
                settings.enabled(),
                settings.scope(),
                settings.keys(),
                AnomalyDetector.THRESHOLD,
                config.models(tenant),
                properties.maxModelsPerTenant(),
                settings.updatedAt());
    }

    private TenantId tenant(Caller caller, Need need) {
        return access.requireActive(caller, need).tenantId();
    }
}
