package io.insa.iiot.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.insa.iiot.tenancy.Tenant;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * Messages per second, per tenant ({@code max_messages_per_second}) and per device: token buckets
 * holding one second of burst. A bucket is rebuilt when its tenant's limit changes. While ingest
 * catches up after a database outage ({@link IngestPressure#catchingUp()}) nothing is refused: what
 * arrives then is mostly what devices sent at their own pace while the platform read nothing, and
 * refusing it would close MQTT 3.1.1 connections the outage had kept open.
 */
final class RateLimits {

    /** A refusal: which limit, its value, and when a token is back. */
    record Exceeded(String limit, long value, Duration retryAfter) {
        String detail() {
            return "rate limit exceeded: " + limit + " is " + value + " messages per second; retry in "
                    + Math.max(1, retryAfter.toMillis()) + " ms";
        }
    }

    private record Limited(long perSecond, Bucket bucket) {}

    private final int devicePerSecond;
    private final BooleanSupplier waived;
    private final Cache<UUID, Limited> tenants =
            Caffeine.newBuilder().maximumSize(100_000).build();
    private final Cache<UUID, Limited> devices = Caffeine.newBuilder()
            .maximumSize(2_000_000)
            .expireAfterAccess(Duration.ofMinutes(10))
            .build();

    /** @param waived true while the limits are not applied */
    RateLimits(int devicePerSecond, BooleanSupplier waived) {
        this.devicePerSecond = devicePerSecond;
        this.waived = waived;
    }

    Optional<Exceeded> tryAcquire(Tenant tenant, UUID device) {
        if (waived.getAsBoolean()) {
            return Optional.empty();
        }
        Optional<Duration> tenantWait = take(tenants, tenant.id(), tenant.maxMessagesPerSecond());
        if (tenantWait.isPresent()) {
            return Optional.of(new Exceeded(
                    "the tenant's max_messages_per_second", tenant.maxMessagesPerSecond(), tenantWait.get()));
        }
        return take(devices, device, devicePerSecond)
                .map(wait -> new Exceeded(
                        "the per-device limit (insa.ingest.device-messages-per-second)", devicePerSecond, wait));
    }

    private static Optional<Duration> take(Cache<UUID, Limited> cache, UUID id, long perSecond) {
        if (perSecond <= 0) {
            return Optional.of(Duration.ofSeconds(1));
        }
        Limited limited = cache.asMap()
                .compute(
                        id,
                        (k, current) -> current != null && current.perSecond() == perSecond
                                ? current
                                : new Limited(perSecond, bucket(perSecond)));
        ConsumptionProbe probe = limited.bucket().tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    private static Bucket bucket(long perSecond) {
        return Bucket.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(perSecond)
                        .refillGreedy(perSecond, Duration.ofSeconds(1))
                        .build())
                .build();
    }
}
