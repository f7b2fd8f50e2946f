package io.insa.iiot.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
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
