package io.insa.iiot.rules.evaluation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.rules.Condition;
import io.insa.iiot.rules.Rule;
import io.insa.iiot.rules.RuleDefinition;
import io.insa.iiot.rules.RulesProperties;
import io.insa.iiot.rules.alert.Alerts;
import io.insa.iiot.shared.CacheEvictions;
import io.insa.iiot.shared.DeviceLanes;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.telemetry.Point;
import io.insa.iiot.telemetry.TelemetryCommitted;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Evaluates rules on committed points (SPEC 6). The ingest writer hands each batch's points over after
 * its commit; every device goes to one evaluation lane (a thread with its queue), so a device's points
 * are judged one at a time, in data-time order, with its rule states held in the lane's memory. A
 * state change that must survive a restart, and the alert it raises or clears, commit together. When
 * a node raises or clears an alert, the other nodes forget the device's states they hold, and load
 * them again when they next judge the device (its no-data check and its points may be judged on
 * different nodes).
 */
@Component
class RuleEngine implements DeviceLanes.Owner {

    private static final Logger log = LoggerFactory.getLogger(RuleEngine.class);

    private static final int ATTEMPTS = 3;
    private static final int DEVICES_PER_LANE = 200_000;
    /** Names the lanes' device states in {@link CacheEvictions}. */
    private static final String RULE_STATES = "rule-states";

    /** What a lane works on. */
    private sealed interface Work {
        DeviceIdentity device();
    }

    private record Points(DeviceIdentity device, List<Point> points) implements Work {}

    /** The scheduler saw no point of the rule's key since {@code lastData} (null: never). */
    private record Silence(DeviceIdentity device, Rule rule, Instant lastData, Instant at) implements Work {}

    /** A device's rule states, and which rules had an open alert for it when they were loaded. */
    private record DeviceStates(Map<UUID, RuleState> byRule, Set<UUID> openAtLoad) {}

    private final RuleCache rules;
    private final Alerts alerts;
    private final RuleStateRepository states;
    private final TenantTransactions transactions;
    private final DeviceLanes<Work> lanes;
    private final List<Lane> allLanes = new CopyOnWriteArrayList<>();
    private final CacheEvictions evictions;
    private final Counter evaluations;
    private final Counter outOfOrder;
    private final Counter failed;
    private final Counter raised;
    private final Counter cleared;

    RuleEngine(
            RuleCache rules,
            Alerts alerts,
            RuleStateRepository states,
            TenantTransactions transactions,
            RulesProperties properties,
            MeterRegistry registry,
            CacheEvictions evictions) {
        this.rules = rules;
        this.alerts = alerts;
        this.states = states;
        this.transactions = transactions;
        this.lanes = new DeviceLanes<>(
                new DeviceLanes.Setup(
                        "rule-lane",
                        properties.evaluatorThreads(),
                        properties.queueCapacity(),
                        1,
                        Duration.ofSeconds(10)),
                new DeviceLanes.Meters<>(
                        registry, "insa.rules.queue.depth", "insa.rules.evaluations.dropped", work -> 1),
                lane -> {
                    Lane fresh = new Lane();
                    allLanes.add(fresh);
                    return fresh;
                });
        this.evictions = evictions;
        evictions.register(
                RULE_STATES,
                device -> allLanes.forEach(l -> l.devices.invalidate(UUID.fromString(device))),
                () -> allLanes.forEach(l -> l.devices.invalidateAll()));
        this.evaluations = registry.counter("insa.rules.evaluations");
        this.outOfOrder = registry.counter("insa.rules.points.out.of.order");
        this.failed = registry.counter("insa.rules.evaluations.failed");
        this.raised = registry.counter("insa.alerts.raised");
        this.cleared = registry.counter("insa.alerts.cleared");
    }

    @EventListener
    void onCommitted(TelemetryCommitted committed) {
        for (TelemetryCommitted.DevicePoints message : committed.messages()) {
            hand(new Points(message.device(), message.points()));
        }
    }

    /** From the no-data scheduler. */
    void silent(Rule rule, DeviceIdentity device, Instant lastData, Instant now) {
        hand(new Silence(device, rule, lastData, now));
    }

    private void hand(Work work) {
        lanes.hand(work.device().deviceId(), work);
    }

    @Override
    public DeviceLanes<?> lanes() {
        return lanes;
    }

    /** One evaluation lane's worker and the states of the devices it owns. */
    private final class Lane implements DeviceLanes.Worker<Work> {
        /** Bounded: a device left out is reloaded from the database when seen again. */
        final Cache<UUID, DeviceStates> devices = Caffeine.newBuilder()
                .maximumSize(DEVICES_PER_LANE)
                .executor(Runnable::run)
                .build();

        @Override
        public void handle(List<Work> work) {
            for (Work item : work) {
                try {
                    judge(item);
                } catch (RuntimeException e) {
                    failed.increment();
                    log.error("rule evaluation failed", e);
                }
            }
        }

        /** Every state worth keeping is saved as it changes: forgetting is all there is to do. */
        @Override
        public void release() {
            devices.invalidateAll();
        }

        private void judge(Work work) {
            RuleCache.TenantRules tenantRules = rules.of(work.device().tenantId());
            switch (work) {
                case Points p -> {
                    if (!tenantRules.isEmpty()) {
                        judgePoints(tenantRules, p);
                    }
                }
                case Silence s -> judgeSilence(s);
            }
        }

        private void judgePoints(RuleCache.TenantRules tenantRules, Points work) {
            List<Point> points = new ArrayList<>();
            for (Point p : work.points()) {
                if (tenantRules.byKey().containsKey(p.key())) {
                    points.add(p);
                }
            }
            if (points.isEmpty()) {
                return;
            }
            points.sort(Comparator.comparing(Point::ts));
            DeviceIdentity device = work.device();
            DeviceStates known = statesOf(device);
            for (Point point : points) {
                Double value = point.value().asNumber();
                for (Rule rule : tenantRules.byKey().get(point.key())) {
                    if (!rule.definition().scope().covers(device)) {
                        continue;
                    }
                    RuleState state = stateOf(known, rule, device);
                    RuleState.Step step;
                    if (rule.definition().condition() instanceof Condition.NoData) {
                        step = state.dataSeen(point.ts());
                    } else if (rule.definition().condition().judgedOnPoints() && value != null) {
                        step = state.next(rule, point.ts(), value);
                    } else {
                        continue;
                    }
                    evaluations.increment();
                    apply(rule, device, known, state, step, value, point.ts());
                }
            }
        }

        private void judgeSilence(Silence silence) {
            Rule rule = silence.rule();
            DeviceStates known = statesOf(silence.device());
            RuleState state = stateOf(known, rule, silence.device());
            // the database keeps microseconds: compare at that precision
            Instant lastJudged = state.lastTs() == null ? null : state.lastTs().truncatedTo(ChronoUnit.MICROS);
            if (lastJudged != null && (silence.lastData() == null || lastJudged.isAfter(silence.lastData()))) {
                return; // data came after the scheduler looked
            }
            apply(rule, silence.device(), known, state, state.silent(), null, silence.at());
        }

        private void apply(
                Rule rule,
                DeviceIdentity device,
                DeviceStates known,
                RuleState state,
                RuleState.Step step,
                Double value,
                Instant at) {
            switch (step.transition()) {
                case OUT_OF_ORDER -> {
                    outOfOrder.increment();
                    return;
                }
                case NONE -> {
                    if (!step.next().sameTransitionsAs(state)) {
                        commit(rule, () -> states.save(rule.tenant(), rule.id(), device.deviceId(), step.next()));
                    }
                }
                case RAISE ->
                    commit(rule, () -> {
                        alerts.raise(rule, device.deviceId(), device.name(), value, at, reason(rule, value))
                                .ifPresent(id -> raised.increment());
                        states.save(rule.tenant(), rule.id(), device.deviceId(), step.next());
                        evictions.evictOnOtherNodes(
                                RULE_STATES, device.deviceId().toString());
                    });
                case CLEAR ->
                    commit(rule, () -> {
                        alerts.clearByData(rule, device.deviceId(), at, clearReason(rule, value))
                                .ifPresent(id -> cleared.increment());
                        states.save(rule.tenant(), rule.id(), device.deviceId(), step.next());
                        evictions.evictOnOtherNodes(
                                RULE_STATES, device.deviceId().toString());
                    });
            }
            known.byRule().put(rule.id(), step.next());
        }

        /** Runs a transition's writes in one transaction of the rule's tenant, tried again on an error. */
        private void commit(Rule rule, Runnable writes) {
            for (int attempt = 1; ; attempt++) {
                try {
                    transactions.inTenant(rule.tenant(), writes);
                    return;
                } catch (RuntimeException e) {
                    if (attempt >= ATTEMPTS) {
                        throw e;
                    }
                    log.warn("rule transition not committed (try {} of {}): {}", attempt, ATTEMPTS, e.toString());
                    try {
                        Thread.sleep(Duration.ofSeconds(attempt));
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
        }

        /** The device's states: in memory, else loaded with the rules whose alert is open for it. */
        private DeviceStates statesOf(DeviceIdentity device) {
            return devices.get(
                    device.deviceId(),
                    id -> transactions.inTenant(
                            device.tenantId(), () -> new DeviceStates(states.ofDevice(id), alerts.openRulesOf(id))));
        }

        private RuleState stateOf(DeviceStates known, Rule rule, DeviceIdentity device) {
            RuleState state = known.byRule().get(rule.id());
            if (state != null && state.version().equals(rule.updatedAt())) {
                return state;
            }
            // a new rule for this device, or a changed one: start afresh, firing if its alert is open
            boolean open = state == null
                    ? known.openAtLoad().contains(rule.id())
                    : transactions.inTenant(device.tenantId(), () -> alerts.isOpen(rule.id(), device.deviceId()));
            RuleState fresh = RuleState.fresh(rule.updatedAt(), open);
            known.byRule().put(rule.id(), fresh);
            return fresh;
        }
    }

    private static String reason(Rule rule, Double value) {
        return switch (rule.definition().condition()) {
            case Condition.NoData n -> "no point of " + rule.definition().key() + " for " + n.seconds() + " s";
            default ->
                rule.judgedKey() + " = " + value + " meets the "
                        + RuleDefinition.typeOf(rule.definition().condition()) + " condition";
        };
    }

    private static String clearReason(Rule rule, Double value) {
        return switch (rule.definition().condition()) {
            case Condition.NoData n -> "data of " + rule.definition().key() + " arrived again";
            default ->
                rule.judgedKey() + " = " + value
                        + (rule.definition().clearCondition() == null
                                ? " no longer meets the condition"
                                : " meets the clear condition");
        };
    }
}
