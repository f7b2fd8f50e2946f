package io.insa.iiot.ingest;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.ingest.IngestResult.Reason;
import io.insa.iiot.ingest.IngestResult.Rejected;
import io.insa.iiot.telemetry.DailyQuota;
import io.insa.iiot.telemetry.Point;
import io.insa.iiot.telemetry.TelemetryKeys;
import io.insa.iiot.tenancy.Tenant;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;

/**
 * The one upload sequence every transport uses (SPEC 2): parse and validate the message, check the
 * tenant, the rate limits and the daily quota, then queue it for the batch writer. The returned
 * future completes when the message is committed (or refused, or failed); transports acknowledge
 * from it and from nothing else.
 */
public class IngestService implements Ingest {

    private static final Logger log = LoggerFactory.getLogger(IngestService.class);
    private static final Duration RETRY_AFTER_UNAVAILABLE = Duration.ofSeconds(5);

    private final PayloadParser parser;
    private final IngestTenants tenants;
    private final RateLimits rateLimits;
    private final DailyQuota quota;
    private final TelemetryKeys keys;
    private final BlockingQueue<PendingMessage> queue;
    private final BatchWriter writer;
    private final IngestMetrics metrics;
    private final IngestProperties properties;
    private final Clock clock;

    IngestService(
            PayloadParser parser,
            IngestTenants tenants,
            RateLimits rateLimits,
            DailyQuota quota,
            TelemetryKeys keys,
            BlockingQueue<PendingMessage> queue,
            BatchWriter writer,
            IngestMetrics metrics,
            IngestProperties properties,
            Clock clock) {
        this.parser = parser;
        this.tenants = tenants;
        this.rateLimits = rateLimits;
        this.quota = quota;
        this.keys = keys;
        this.queue = queue;
        this.writer = writer;
        this.metrics = metrics;
        this.properties = properties;
        this.clock = clock;
    }

    /** The largest payload a transport should read before handing it over. */
    @Override
    public int maxPayloadBytes() {
        return properties.maxPayloadBytes();
    }

    @Override
    public CompletableFuture<IngestResult> telemetry(DeviceIdentity device, byte[] payload) {
        Instant now = clock.instant();
        List<Point> points;
        try {
            points = parser.telemetry(payload, now);
        } catch (MalformedPayload e) {
            return reject(Reason.MALFORMED, e.getMessage(), null);
        }
        DailyQuota.Admission admission = null;
        try {
            Tenant tenant = tenants.get(device.tenantId());
            Optional<CompletableFuture<IngestResult>> refused = admit(tenant, device);
            if (refused.isPresent()) {
                return refused.get();
            }
            Instant oldestAllowed = now.minus(Duration.ofDays(tenant.maxRetentionDays()));
            for (Point p : points) {
                if (p.ts().isBefore(oldestAllowed)) {
                    return reject(
                            Reason.MALFORMED,
                            "ts " + p.ts().toEpochMilli() + " is older than the tenant's retention of "
                                    + tenant.maxRetentionDays() + " days",
                            null);
                }
            }
            DailyQuota.Result admitted =
                    quota.admit(device.tenantId(), tenant.maxTelemetryPointsPerDay(), points.size());
            if (admitted.refusal().isPresent()) {
                DailyQuota.Exceeded exceeded = admitted.refusal().get();
                return reject(Reason.QUOTA_EXCEEDED, exceeded.detail(), exceeded.retryAfter(clock));
            }
            admission = admitted.admission();
            Map<String, Integer> keyIds = keys.idsOf(
                    device.tenantId(),
                    new TreeSet<>(points.stream().map(Point::key).toList()));
            return enqueue(new PendingMessage(
                    device, now, points, keyIds, null, admission, System.nanoTime(), new CompletableFuture<>()));
        } catch (RuntimeException e) {
            if (admission != null) {
                quota.giveBack(admission);
            }
            return unavailable(e);
        }
    }

    @Override
    public CompletableFuture<IngestResult> attributes(DeviceIdentity device, byte[] payload) {
        Map<String, String> attributes;
        try {
            attributes = parser.attributes(payload);
        } catch (MalformedPayload e) {
            return reject(Reason.MALFORMED, e.getMessage(), null);
        }
        try {
            Optional<CompletableFuture<IngestResult>> refused = admit(tenants.get(device.tenantId()), device);
            if (refused.isPresent()) {
                return refused.get();
            }
        } catch (RuntimeException e) {
            return unavailable(e);
        }
        return enqueue(new PendingMessage(
                device, clock.instant(), null, null, attributes, null, System.nanoTime(), new CompletableFuture<>()));
    }

    /** A message that could not be admitted because a dependency (the database) failed: retry later. */
    private CompletableFuture<IngestResult> unavailable(RuntimeException e) {
        log.warn(
                "message not admitted: {}",
                NestedExceptionUtils.getMostSpecificCause(e).getMessage());
        metrics.failed(1);
        return CompletableFuture.completedFuture(
                new IngestResult.Failed("the platform cannot take messages right now; retry", RETRY_AFTER_UNAVAILABLE));
    }

    /** The checks every message passes, whatever it carries: tenant status and rate limits. */
    private Optional<CompletableFuture<IngestResult>> admit(Tenant tenant, DeviceIdentity device) {
        if (!tenant.isActive()) {
            return Optional.of(reject(Reason.TENANT_SUSPENDED, "the tenant is suspended", null));
        }
        return rateLimits
                .tryAcquire(tenant, device.deviceId())
                .map(exceeded -> reject(Reason.RATE_LIMITED, exceeded.detail(), exceeded.retryAfter()));
    }

    private CompletableFuture<IngestResult> enqueue(PendingMessage message) {
        boolean queued = false;
        if (writer.accepting()) {
            try {
                queued = queue.offer(message, properties.enqueueTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!queued) {
            if (message.admission() != null) {
                quota.giveBack(message.admission());
            }
            metrics.failed(1);
            return CompletableFuture.completedFuture(new IngestResult.Failed(
                    writer.accepting() ? "the ingest queue is full; retry" : "the platform is shutting down; retry",
                    Duration.ofSeconds(1)));
        }
        return answeredInTime(message);
    }

    /**
     * Bounds the wait for a queued message: if the writer has not answered within the answer timeout
     * (the database hangs), the device is told to retry and the quota is given back. A commit that
     * happens later still stores the data; the device's retry then writes it again, which is the
     * at-least-once promise of QoS 1.
     */
    private CompletableFuture<IngestResult> answeredInTime(PendingMessage message) {
        IngestResult.Failed timedOut = new IngestResult.Failed(
                "the message was not stored within "
                        + properties.answerTimeout().toSeconds() + " s; retry",
                RETRY_AFTER_UNAVAILABLE);
        CompletableFuture<IngestResult> result = message.result();
        result.completeOnTimeout(timedOut, properties.answerTimeout().toMillis(), TimeUnit.MILLISECONDS);
        result.thenAccept(r -> {
            if (r == timedOut) {
                metrics.failed(1);
                if (message.admission() != null) {
                    quota.giveBack(message.admission());
                }
            }
        });
        return result;
    }

    private CompletableFuture<IngestResult> reject(Reason reason, String detail, Duration retryAfter) {
        metrics.rejected(reason);
        return CompletableFuture.completedFuture(new Rejected(reason, detail, retryAfter));
    }
}
