package io.insa.iiot.analytics;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.shared.DeviceLanes;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.telemetry.Point;
import io.insa.iiot.telemetry.TelemetryCommitted;
import io.insa.iiot.telemetry.TelemetryValue;
import io.insa.iiot.telemetry.TelemetryWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Scores committed values (SPEC 7): the ingest writer hands each batch over after its commit; every
 * device goes to one lane, whose detectors (one per device and key, restored from their checkpoint on
 * first sight) score its values in order. The scores are written as the telemetry series
 * {@code <key>.anomaly_score} at the values' timestamps through the {@link TelemetryWriter}, which
 * stores nothing for a device deleted meanwhile, counts them in the tenant's daily points and hands
 * them on as committed telemetry, so that rules judge them like any other series. Changed models are checkpointed every
 * {@code insa.analytics.checkpoint-interval} and when the server stops.
 */
@Component
class AnomalyScoring implements DeviceLanes.Owner {

    private static final Logger log = LoggerFactory.getLogger(AnomalyScoring.class);
    private static final int MODELS_PER_LANE = 200_000;
    private static final int BATCH = 500;

    private record Model(TenantId tenant, UUID device, String key, AnomalyDetector detector) {}

    private record ModelKey(UUID device, String key) {}

    private final AnomalyConfig config;
    private final AnomalySettingsRepository repository;
    private final TenantTransactions transactions;
    private final TelemetryWriter writer;
    private final AnalyticsProperties properties;
    private final DeviceLanes<TelemetryCommitted.DevicePoints> lanes;
    /** models per tenant, counted from the database at first use: the quota */
    private final Map<TenantId, AtomicLong> models = new ConcurrentHashMap<>();
    /** The lanes' workers, for the gauge of the models they hold in memory. */
    private final List<Lane> workers = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final Counter scored;
    private final Counter refused;
    private final Timer scoring;

    AnomalyScoring(
            AnomalyConfig config,
            AnomalySettingsRepository repository,
            TenantTransactions transactions,
            TelemetryWriter writer,
            AnalyticsProperties properties,
            MeterRegistry registry) {
        this.config = config;
        this.repository = repository;
        this.transactions = transactions;
        this.writer = writer;
        this.properties = properties;
        this.lanes = new DeviceLanes<>(
                new DeviceLanes.Setup(
                        "anomaly-lane", properties.lanes(), properties.queueCapacity(), BATCH, Duration.ofSeconds(20)),
                new DeviceLanes.Meters<>(
                        registry,
                        "insa.analytics.queue.depth",
                        "insa.analytics.values.dropped",
                        message -> message.points().size()),
                lane -> {
                    Lane worker = new Lane();
                    workers.add(worker);
                    return worker;
                });
        registry.gauge(
                "insa.analytics.models.held",
                workers,
                held -> held.stream().mapToLong(l -> l.detectors.asMap().size()).sum());
        this.scored = registry.counter("insa.analytics.scores");
        this.refused = registry.counter("insa.analytics.models.refused");
        this.scoring = registry.timer("insa.analytics.scoring");
    }

    @EventListener
    void onCommitted(TelemetryCommitted committed) {
        for (TelemetryCommitted.DevicePoints message : committed.messages()) {
            AnomalySettings settings = config.of(message.device().tenantId());
            if (!settings.enabled()
                    || message.points().stream().noneMatch(p -> settings.scores(message.device(), p.key()))) {
                continue;
            }
            lanes.hand(message.device().deviceId(), message);
        }
    }

    /** The lanes checkpoint their models on the way out. */
    @Override
    public DeviceLanes<?> lanes() {
        return lanes;
    }

    /** A lane's detectors; scores and checkpoints are written per tenant in one transaction each. */
    private final class Lane implements DeviceLanes.Worker<TelemetryCommitted.DevicePoints> {
        /** Bounded: a model left out is checkpointed, and restored from it when seen again. */
        private final Cache<ModelKey, Model> detectors = Caffeine.newBuilder()
                .maximumSize(MODELS_PER_LANE)
                .executor(Runnable::run)
                .<ModelKey, Model>removalListener((key, model, cause) -> {
                    if (cause.wasEvicted()) {
                        checkpoint(List.of(model));
                    }
                })
                .build();

        private final Set<ModelKey> changed = new HashSet<>();
        private long lastCheckpoint = System.nanoTime();

        @Override
        public void handle(List<TelemetryCommitted.DevicePoints> work) {
            Map<TenantId, Map<UUID, List<Point>>> scores = new LinkedHashMap<>();
            Map<UUID, DeviceIdentity> devices = new HashMap<>();
            long started = System.nanoTime();
            for (TelemetryCommitted.DevicePoints message : work) {
                DeviceIdentity device = message.device();
                AnomalySettings settings = config.of(device.tenantId());
                List<Point> points = new ArrayList<>(message.points());
                points.sort(Comparator.comparing(Point::ts));
                for (Point point : points) {
                    Double value = point.value().asNumber();
                    if (value == null || !settings.scores(device, point.key())) {
                        continue;
                    }
                    Model model = model(device, point.key());
                    if (model == null) {
                        continue;
                    }
                    double score = model.detector().score(value);
                    changed.add(new ModelKey(device.deviceId(), point.key()));
                    devices.put(device.deviceId(), device);
                    scores.computeIfAbsent(device.tenantId(), t -> new LinkedHashMap<>())
                            .computeIfAbsent(device.deviceId(), d -> new ArrayList<>())
                            .add(new Point(
                                    AnomalyScores.seriesOf(point.key()),
                                    point.ts(),
                                    new TelemetryValue.DoubleValue(score)));
                }
            }
            scoring.record(Duration.ofNanos(System.nanoTime() - started));
            scores.forEach((tenant, byDevice) -> {
                List<TelemetryWriter.Readings> readings = new ArrayList<>();
                byDevice.forEach((device, points) ->
                        readings.add(new TelemetryWriter.Readings(devices.get(device), null, points, null)));
                try {
                    scored.increment(writer.commit(readings).points());
                } catch (RuntimeException e) {
                    log.warn("anomaly scores of tenant {} not stored: {}", tenant, e.toString());
                }
            });
            idle();
        }

        /** Checkpoints the models that changed, then forgets every model. */
        @Override
        public void release() {
            checkpointChanged();
            detectors.invalidateAll();
        }

        /** Checkpoints the models that changed, at most every checkpoint interval. */
        @Override
        public void idle() {
            boolean stopping = !lanes.isRunning();
            if (changed.isEmpty()
                    || (!stopping
                            && System.nanoTime() - lastCheckpoint
                                    < properties.checkpointInterval().toNanos())) {
                return;
            }
            checkpointChanged();
        }

        private void checkpointChanged() {
            List<Model> due = new ArrayList<>();
            for (ModelKey key : changed) {
                Model model = detectors.getIfPresent(key);
                if (model != null) {
                    due.add(model);
                }
            }
            checkpoint(due);
            changed.clear();
            lastCheckpoint = System.nanoTime();
        }

        private void checkpoint(List<Model> due) {
            Map<TenantId, List<Model>> byTenant = new HashMap<>();
            due.forEach(m ->
                    byTenant.computeIfAbsent(m.tenant(), t -> new ArrayList<>()).add(m));
            byTenant.forEach((tenant, list) -> {
                try {
                    transactions.inTenant(
                            tenant,
                            () -> list.forEach(m -> repository.saveCheckpoint(
                                    tenant,
                                    m.device(),
                                    m.key(),
                                    m.detector().checkpoint(),
                                    m.detector().seen())));
                } catch (RuntimeException e) {
                    log.warn("anomaly models of tenant {} not checkpointed: {}", tenant, e.toString());
                }
            });
        }

        /** The device's detector of the key: in memory, else from its checkpoint, else new within the quota. */
        private Model model(DeviceIdentity device, String key) {
            ModelKey id = new ModelKey(device.deviceId(), key);
            Model model = detectors.getIfPresent(id);
            if (model != null) {
                return model;
            }
            TenantId tenant = device.tenantId();
            var saved = transactions.inTenant(tenant, () -> repository.checkpoint(device.deviceId(), key));
            AnomalyDetector detector;
            if (saved.isPresent()) {
                detector = AnomalyDetector.restore(AnomalyDetector.DEFAULTS, saved.get());
            } else {
                AtomicLong count = models.computeIfAbsent(
                        tenant, t -> new AtomicLong(transactions.inTenant(t, repository::models)));
                if (count.get() >= properties.maxModelsPerTenant()) {
                    refused.increment();
                    return null;
                }
                count.incrementAndGet();
                detector = new AnomalyDetector();
            }
            model = new Model(tenant, device.deviceId(), key, detector);
            detectors.put(id, model);
            return model;
        }
    }
}
