package io.insa.iiot.shared;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Evicts a changed entry from a cache on every node of the installation, not only this one (SPEC 2:
 * caches of tenants, rules and settings). The change sends a PostgreSQL notification on {@value
 * #CHANNEL}, which the database delivers when the changing transaction commits (or at once outside
 * one); this node evicts after its own commit. A node whose listener lost its connection empties its
 * caches when it listens again, since it may have missed evictions meanwhile.
 */
@Component
public class CacheEvictions implements SmartLifecycle {

    static final String CHANNEL = "insa_cache_evictions";
    private static final Logger log = LoggerFactory.getLogger(CacheEvictions.class);

    /** What a cache does with an eviction: one key, or everything. */
    private record Evictor(Consumer<String> key, Runnable all) {}

    private final JdbcClient jdbc;
    private final ChannelListener listener;
    private final String node = UUID.randomUUID().toString();
    private final Map<String, Evictor> caches = new ConcurrentHashMap<>();

    CacheEvictions(JdbcClient jdbc, DedicatedConnections channels) {
        this.jdbc = jdbc;
        this.listener = channels.listener(CHANNEL, "insa-cache-evictions", this::received, this::evictAll);
    }

    /** A cache named {@code cache} (one word), with how to evict one of its keys and all of them. */
    public void register(String cache, Consumer<String> evictKey, Runnable evictAll) {
        if (cache.contains(" ") || caches.putIfAbsent(cache, new Evictor(evictKey, evictAll)) != null) {
            throw new IllegalArgumentException("cache names are single words, registered once: " + cache);
        }
    }

    /** Evicts {@code key} from {@code cache} on every node once the running transaction commits. */
    public void evict(String cache, String key) {
        Evictor evictor = evictor(cache);
        evictOnOtherNodes(cache, key);
        TenantTransactions.afterCommit(() -> evictor.key().accept(key));
    }

    /**
     * Evicts {@code key} from {@code cache} on the other nodes once the running transaction commits:
     * for a change this node's cache holds already.
     */
    public void evictOnOtherNodes(String cache, String key) {
        evictor(cache);
        jdbc.sql("SELECT pg_notify(?, ?)")
                .params(CHANNEL, node + " " + cache + " " + key)
                .query(rs -> {});
    }

    private Evictor evictor(String cache) {
        Evictor evictor = caches.get(cache);
        if (evictor == null) {
            throw new IllegalArgumentException("no cache " + cache);
        }
        return evictor;
    }

    /** {@code <node> <cache> <key>} */
    private void received(String payload) {
        String[] words = payload.split(" ", 3);
        if (words.length != 3 || words[0].equals(node)) {
            return;
        }
        Evictor evictor = caches.get(words[1]);
        if (evictor == null) {
            log.warn("ignored an eviction for an unknown cache: {}", words[1]);
            return;
        }
        evictor.key().accept(words[2]);
    }

    private void evictAll() {
        caches.values().forEach(evictor -> evictor.all().run());
    }

    /** Listens before the transports take connections, and stops after them. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    @Override
    public void start() {
        listener.start(Duration.ofSeconds(10));
    }

    @Override
    public void stop() {
        listener.stop();
    }

    @Override
    public boolean isRunning() {
        return listener.isRunning();
    }
}
