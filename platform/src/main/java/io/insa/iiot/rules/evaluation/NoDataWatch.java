package io.insa.iiot.rules.evaluation;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.device.Devices;
import io.insa.iiot.rules.Condition;
import io.insa.iiot.rules.Rule;
import io.insa.iiot.shared.ClusterDuties;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.telemetry.TelemetryStore;
import io.insa.iiot.tenancy.Tenant;
import io.insa.iiot.tenancy.Tenants;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Checks the no-data rules: a device in scope with no point of the key for longer than the rule allows
 * (counted from its latest point, or from the rule's last change when it has none) is handed to its
 * evaluation lane, which raises the alert once. The alert clears in the lane when data returns. One
 * node of the cluster checks per interval ({@link ClusterDuties}).
 */
@Component
class NoDataWatch {

    private static final Logger log = LoggerFactory.getLogger(NoDataWatch.class);

    private final Tenants tenants;
    private final RuleCache rules;
    private final Devices devices;
    private final TelemetryStore telemetry;
    private final RuleEngine engine;
    private final Clock clock;
    private final ClusterDuties duties;
    private final Duration interval;

    NoDataWatch(
            Tenants tenants,
            RuleCache rules,
            Devices devices,
            TelemetryStore telemetry,
            RuleEngine engine,
            Clock clock,
            ClusterDuties duties,
            @Value("${insa.rules.no-data-check-interval}") Duration interval) {
        this.tenants = tenants;
        this.rules = rules;
        this.devices = devices;
        this.telemetry = telemetry;
        this.engine = engine;
        this.clock = clock;
        this.duties = duties;
        this.interval = interval;
    }

    @Scheduled(
            initialDelayString = "${insa.rules.no-data-check-interval}",
            fixedDelayString = "${insa.rules.no-data-check-interval}")
    void check() {
        if (!duties.claim("no-data-check", interval)) {
            return;
        }
        for (Tenant tenant : tenants.all()) {
            if (!tenant.isActive()) {
                continue;
            }
            try {
                check(tenant.tenantId());
            } catch (RuntimeException e) {
                log.warn("no-data rules of tenant {} not checked: {}", tenant.id(), e.toString());
            }
        }
    }

    private void check(TenantId tenant) {
        List<Rule> noData = rules.of(tenant).noData();
        if (noData.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List<DeviceIdentity> fleet = devices.identities(tenant);
        for (Rule rule : noData) {
            Duration allowed =
                    Duration.ofSeconds(((Condition.NoData) rule.definition().condition()).seconds());
            Map<UUID, Instant> latest =
                    telemetry.latestTimes(tenant, rule.definition().key());
            for (DeviceIdentity device : fleet) {
                if (!rule.definition().scope().covers(device)) {
                    continue;
                }
                Instant last = latest.get(device.deviceId());
                Instant since = last == null || last.isBefore(rule.updatedAt()) ? rule.updatedAt() : last;
                if (since.plus(allowed).isBefore(now)) {
                    engine.silent(rule, device, last, now);
                }
            }
        }
    }
}
