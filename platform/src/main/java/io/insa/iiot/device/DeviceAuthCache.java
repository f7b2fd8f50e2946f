package io.insa.iiot.device;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Token hash to device: devices authenticate on every request, so this is the hot path. A revocation
 * is recorded after its commit; an entry loaded before a revocation of its device is stale, however
 * it got into the cache. That closes the race where a lookup reads the old row just before the
 * commit and puts it back after the eviction.
 */
@Component
class DeviceAuthCache {

    /** A lookup's result and the revocation count when it started. */
    private record Entry(Optional<DeviceIdentity> device, long loadedAt) {}

    private final AtomicLong revocations = new AtomicLong();
    private final Cache<String, Entry> byTokenHash;
    /** When each device was last revoked; kept as long as an entry loaded before may live. */
    private final Cache<UUID, Long> revokedAt;

    private volatile long allRevokedAt;

    DeviceAuthCache(@Value("${insa.device.auth-cache-ttl}") Duration ttl) {
        this.byTokenHash = Caffeine.newBuilder()
                .maximumSize(1_000_000)
                .expireAfterWrite(ttl)
                .build();
        this.revokedAt = Caffeine.newBuilder().expireAfterWrite(ttl).build();
    }

    Optional<DeviceIdentity> get(String tokenHash, Function<String, Optional<DeviceIdentity>> load) {
        Entry entry = load(tokenHash, load);
        while (stale(entry)) { // ends: only lookups that started before a revocation are stale
            byTokenHash.asMap().remove(tokenHash, entry);
            entry = load(tokenHash, load);
        }
        return entry.device();
    }

    /** After the commit of a change that revoked the device's credentials. */
    void revoked(UUID deviceId) {
        revokedAt.put(deviceId, revocations.incrementAndGet());
    }

    /** Changes may have been missed (the listener was away): nothing loaded before now is trusted. */
    void revokedAll() {
        allRevokedAt = revocations.incrementAndGet();
        byTokenHash.invalidateAll();
    }

    private Entry load(String tokenHash, Function<String, Optional<DeviceIdentity>> load) {
        long startedAt = revocations.get(); // read before the database is
        return byTokenHash.get(tokenHash, hash -> new Entry(load.apply(hash), startedAt));
    }

    private boolean stale(Entry entry) {
        if (entry.loadedAt() < allRevokedAt) {
            return true;
        }
        if (entry.device().isEmpty()) {
            return false; // unknown tokens stay unknown: new tokens are random
        }
        Long revoked = revokedAt.getIfPresent(entry.device().get().deviceId());
        return revoked != null && entry.loadedAt() < revoked;
    }
}
