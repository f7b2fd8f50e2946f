package io.insa.iiot.ingest;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.ingest.IngestResult.Reason;
import io.insa.iiot.ingest.IngestResult.Rejected;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.telemetry.DailyQuota;
import io.insa.iiot.telemetry.Point;
import io.insa.iiot.tenancy.Tenant;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
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
    /** The queue keeps this much room for messages admitted between the check and their offer. */
    private static final int ROOM_FOR_RACES = 1_000;

    private final PayloadParser parser;
    private final ServerTimestamps timestamps = new ServerTimestamps();
    private final IngestTenants tenants;
    private final RateLimits rateLimits;
    private final DailyQuota quota;
    private final IngestQueue queue;
    private final IngestMetrics metrics;
    private final IngestProperties properties;
    private final Clock clock;

    IngestService(
            PayloadParser parser,
            IngestTenants tenants,
            RateLimits rateLimits,
            DailyQuota quota,
            IngestQueue queue,
            IngestMetrics metrics,
            IngestProperties properties,
            Clock clock) {
        this.parser = parser;
        this.tenants = tenants;
        this.rateLimits = rateLimits;
        this.quota = quota;
        this.queue = queue;
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
    public boolean admitsWithoutWaiting(TenantId tenant) {
        return queue.accepting()
                && queue.remainingCapacity() > ROOM_FOR_RACES
                && tenants.isCached(tenant)
                && quota.isCountingToday(tenant);
    }

    @Override
    public CompletableFuture<IngestResult> telemetry(DeviceIdentity device, byte[] payload) {
        return telemetry(List.of(new Part(device, payload)));
    }

    @Override
    public CompletableFuture<IngestResult> attributes(DeviceIdentity device, byte[] payload) {
        return attributes(List.of(new Part(device, payload)));
    }

    /**
     * Telemetry of one tenant's devices, admitted whole or not at all: every part is parsed, checked and
     * counted against the quota before any is queued, and the parts travel as one queue element, so the
     * batch writer commits them in one transaction.
     */
    @Override
    public CompletableFuture<IngestResult> telemetry(List<Part> parts) {
        Instant now = clock.instant();
        List<List<Point>> points = new ArrayList<>(parts.size());
        try {
            for (Part part : parts) {
                UUID device = part.device().deviceId();
                points.add(parser.telemetry(part.payload(), now, () -> timestamps.next(device, now)));
            }
        } catch (MalformedPayload e) {
            return reject(Reason.MALFORMED, e.getMessage(), null);
        }
        TenantId tenantId = tenantOf(parts);
        DailyQuota.Result admitted;
        try {
            Tenant tenant = tenants.get(tenantId);
            Optional<CompletableFuture<IngestResult>> refused = admit(tenant, parts);
            if (refused.isPresent()) {
                return refused.get();
            }
            Instant oldestAllowed = now.minus(Duration.ofDays(tenant.maxRetentionDays()));
            for (List<Point> ofPart : points) {
                for (Point p : ofPart) {
                    if (p.ts().isBefore(oldestAllowed)) {
                        return reject(
                                Reason.MALFORMED,
                                "ts " + p.ts().toEpochMilli() + " is older than the tenant's retention of "
                                        + tenant.maxRetentionDays() + " days",
                                null);
                    }
                }
            }
            int total = points.stream().mapToInt(List::size).sum();
            admitted = quota.admit(tenantId, tenant.maxTelemetryPointsPerDay(), total);
        } catch (RuntimeException e) {
            return unavailable(e);
        }
        if (admitted.refusal().isPresent()) {
            DailyQuota.Exceeded exceeded = admitted.refusal().get();
            return reject(Reason.QUOTA_EXCEEDED, exceeded.detail(), exceeded.retryAfter(clock));
        }
        // each part carries its share of the reservation, which goes back if that part is not stored
        List<DailyQuota.Reservation> shares =
                admitted.reservation().split(points.stream().map(List::size).toList());
        List<PendingMessage> messages = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            messages.add(PendingMessage.telemetry(parts.get(i).device(), now, points.get(i), shares.get(i)));
        }
        return enqueue(messages);
    }

    /** Attributes of one tenant's devices, admitted whole or not at all (see {@link #telemetry(List)}). */
    @Override
    public CompletableFuture<IngestResult> attributes(List<Part> parts) {
        List<Map<String, String>> attributes = new ArrayList<>(parts.size());
        try {
            for (Part part : parts) {
                attributes.add(parser.attributes(part.payload()));
            }
        } catch (MalformedPayload e) {
            return reject(Reason.MALFORMED, e.getMessage(), null);
        }
        try {
            Optional<CompletableFuture<IngestResult>> refused = admit(tenants.get(tenantOf(parts)), parts);
            if (refused.isPresent()) {
                return refused.get();
            }
        } catch (RuntimeException e) {
            return unavailable(e);
        }
        Instant now = clock.instant();
        List<PendingMessage> messages = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            messages.add(PendingMessage.attributes(parts.get(i).device(), now, attributes.get(i)));
        }
        return enqueue(messages);
    }

    @Override
    public Optional<IngestResult> admitRequest(DeviceIdentity device) {
        try {
            return admit(tenants.get(device.tenantId()), List.of(new Part(device, new byte[0])))
                    .map(CompletableFuture::join); // a refusal is complete at once
        } catch (RuntimeException e) {
            return Optional.of(unavailable(e).join());
        }
    }

    private static TenantId tenantOf(List<Part> parts) {
        TenantId tenant = parts.get(0).device().tenantId();
        if (parts.stream().anyMatch(p -> !p.device().tenantId().equals(tenant))) {
            throw new IllegalArgumentException("the parts of one message belong to one tenant");
        }
        return tenant;
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

    /** The checks every part passes, whatever it carries: tenant status and rate limits. */
    private Optional<CompletableFuture<IngestResult>> admit(Tenant tenant, List<Part> parts) {
        if (!tenant.isActive()) {
            return Optional.of(reject(Reason.TENANT_SUSPENDED, "the tenant is suspended", null));
        }
        for (Part part : parts) {
            Optional<CompletableFuture<IngestResult>> limited = rateLimits
                    .tryAcquire(tenant, part.device().deviceId())
                    .map(exceeded -> reject(Reason.RATE_LIMITED, exceeded.detail(), exceeded.retryAfter()));
            if (limited.isPresent()) {
                return limited;
            }
        }
        return Optional.empty();
    }

    /** Queues the parts as one element, so that they are written in one transaction. */
    private CompletableFuture<IngestResult> enqueue(List<PendingMessage> parts) {
        PendingMessage element = parts.size() == 1 ? parts.get(0) : PendingMessage.whole(parts);
        boolean queued = false;
        try {
            queued = queue.offer(element, properties.enqueueTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!queued) {
            IngestResult.Failed failed = new IngestResult.Failed(
                    queue.accepting() ? "the ingest queue is full; retry" : "the platform is shutting down; retry",
                    Duration.ofSeconds(1));
            parts.forEach(m -> m.result().complete(failed));
            metrics.failed(parts.size());
            return CompletableFuture.completedFuture(failed);
        }
        List<CompletableFuture<IngestResult>> answers =
                parts.stream().map(this::answeredInTime).toList();
        return answers.size() == 1
                ? answers.get(0)
                : CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                        .thenApply(v -> combine(answers));
    }

    /**
     * Bounds the wait for a queued message: if the writer has not answered within the answer timeout
     * (the database hangs or stays away), the device is told to retry and the quota reservation goes
     * back. A writer holding the batch for an outage drops the message then; a commit already under
     * way still stores it, and the device's retry writes it again: the at-least-once promise of QoS 1.
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
            }
        });
        return result;
    }

    /** The answer to a message of several parts: accepted if every part is, else the first other answer. */
    private static IngestResult combine(List<CompletableFuture<IngestResult>> parts) {
        int points = 0;
        for (CompletableFuture<IngestResult> part : parts) {
            IngestResult result = part.join();
            if (!(result instanceof IngestResult.Accepted accepted)) {
                return result;
            }
            points += accepted.points();
        }
        return new IngestResult.Accepted(points);
    }

    private CompletableFuture<IngestResult> reject(Reason reason, String detail, Duration retryAfter) {
        metrics.rejected(reason);
        return CompletableFuture.completedFuture(new Rejected(reason, detail, retryAfter));
    }
}
