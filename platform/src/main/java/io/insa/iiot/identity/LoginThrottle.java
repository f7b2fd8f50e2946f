package io.insa.iiot.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import java.time.Duration;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Login attempts per minute per client address (token buckets that refill once a minute). There is no
 * bucket per account: anybody could empty it and keep the owner out; repeated failures on an account
 * are {@link LoginLockout}'s, per address. Buckets of quiet clients are forgotten, so memory stays
 * bounded.
 */
@Component
class LoginThrottle {

    private final int perMinute;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(200_000)
            .expireAfterAccess(Duration.ofMinutes(5))
            .build();

    LoginThrottle(@Value("${insa.auth.login-attempts-per-minute}") int perMinute) {
        this.perMinute = perMinute;
    }

    /** Takes one attempt from the address's bucket; the wait until the next one when refused. */
    Optional<Duration> tryAcquireForAddress(String clientIp) {
        return take(clientIp);
    }

    /**
     * Whether the key's bucket has an attempt left, without taking it: the wait until it has when not.
     * With {@link #spend}, for limits that count only failed attempts.
     */
    Optional<Duration> waitFor(String key) {
        EstimationProbe probe = buckets.get(key, k -> newBucket()).estimateAbilityToConsume(1);
        return probe.canBeConsumed()
                ? Optional.empty()
                : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    /** Spends an attempt of the key's bucket, if one is left. */
    void spend(String key) {
        buckets.get(key, k -> newBucket()).tryConsume(1);
    }

    int perMinute() {
        return perMinute;
    }

    private Optional<Duration> take(String key) {
        ConsumptionProbe probe = buckets.get(key, k -> newBucket()).tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    private Bucket newBucket() {
        return Bucket.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(perMinute)
                        .refillIntervally(perMinute, Duration.ofMinutes(1))
                        .build())
                .build();
    }
}
