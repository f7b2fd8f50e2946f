package io.insa.iiot.console;

import io.insa.iiot.identity.SessionStatus;
import io.insa.iiot.identity.SessionsRevoked;
import io.insa.iiot.telemetry.Point;
import io.insa.iiot.telemetry.TelemetryCommitted;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.util.WebUtils;

/**
 * Live charts: committed points of a device pushed to the browsers watching it, as Server-Sent
 * Events. The ingest writer only hands the points over; sending happens on virtual threads, so a slow
 * browser never holds ingestion up.
 *
 * <p>A stream lives no longer than what authorized it: it ends with its console session (sign-out,
 * expiry, a switch to another tenant) and with the API's login session behind it, which the API
 * revokes on sign-out, removal from the tenant, a role change, a password change and an MFA reset
 * ({@link SessionsRevoked}, on this node at once; on other nodes within {@link #RECHECK_EVERY} plus the
 * session cache's lifetime, by asking {@link SessionStatus}).
 */
@Component
class LiveTelemetry implements SmartLifecycle {

    private static final Duration OPEN_FOR = Duration.ofMinutes(30);
    static final Duration RECHECK_EVERY = Duration.ofSeconds(15);
    private static final String STREAMS = LiveTelemetry.class.getName() + ".streams";

    /** One stream: what it shows, and the console session and login session it belongs to. */
    private record Watcher(SseEmitter emitter, String key, UUID consoleSession, UUID loginSession) {}

    private final Map<UUID, Set<Watcher>> watchers = new ConcurrentHashMap<>();
    private final Set<Watcher> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService sending = Executors.newVirtualThreadPerTaskExecutor();
    private final SessionStatus sessions;
    private volatile boolean running;

    LiveTelemetry(SessionStatus sessions) {
        this.sessions = sessions;
    }

    @Override
    public void start() {
        running = true;
    }

    /**
     * Ends every open stream before the web server's graceful shutdown, which would otherwise wait its
     * whole timeout for streams that never end by themselves (browsers reconnect to another node).
     */
    @Override
    public void stop() {
        running = false;
        end(watcher -> true);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * A stream of the devices' points of the key for the session's user; the caller has checked the
     * devices are the user's to see.
     */
    SseEmitter watch(HttpSession session, Collection<UUID> devices, String key) {
        ConsoleUser user = ConsolePages.user(session);
        SseEmitter emitter = new SseEmitter(OPEN_FOR.toMillis());
        Watcher watcher = new Watcher(emitter, key, streamsOf(session).id(), user.loginSession());
        for (UUID device : devices) {
            watchers.computeIfAbsent(device, d -> ConcurrentHashMap.newKeySet()).add(watcher);
        }
        open.add(watcher);
        Runnable forget = () -> {
            open.remove(watcher);
            devices.forEach(device -> watchers.computeIfPresent(device, (d, set) -> {
                set.remove(watcher);
                return set.isEmpty() ? null : set;
            }));
        };
        emitter.onCompletion(forget);
        emitter.onTimeout(forget);
        emitter.onError(e -> forget.run());
        if (!sessions.isActive(user.loginSession())) { // revoked after the API let the request in
            emitter.complete();
        }
        return emitter;
    }

    /** Ends the streams of the console session (it moves to another tenant, or ends). */
    void endAll(HttpSession session) {
        if (session.getAttribute(STREAMS) instanceof SessionStreams streams) {
            end(watcher -> watcher.consoleSession().equals(streams.id()));
        }
    }

    @EventListener
    void onRevoked(SessionsRevoked revoked) {
        end(watcher -> revoked.sessionIds().contains(watcher.loginSession()));
    }

    /** Sessions revoked on another node (or while this node missed it) end their streams here too. */
    @Scheduled(fixedDelayString = "${insa.console.live-session-check:15s}")
    void recheck() {
        Set<UUID> revoked = open.stream()
                .map(Watcher::loginSession)
                .distinct()
                .filter(session -> !sessions.isActive(session))
                .collect(Collectors.toSet());
        if (!revoked.isEmpty()) {
            end(watcher -> revoked.contains(watcher.loginSession()));
        }
    }

    @EventListener
    void onCommitted(TelemetryCommitted committed) {
        if (watchers.isEmpty()) {
            return;
        }
        for (TelemetryCommitted.DevicePoints message : committed.messages()) {
            Set<Watcher> watching = watchers.get(message.device().deviceId());
            if (watching == null) {
                continue;
            }
            for (Point point : message.points()) {
                Double value = point.value().asNumber();
                if (value == null) {
                    continue;
                }
                String data = "{\"device_id\":\"" + message.device().deviceId() + "\",\"ts\":"
                        + point.ts().toEpochMilli() + ",\"value\":" + value + "}";
                for (Watcher watcher : watching) {
                    if (watcher.key().equals(point.key())) {
                        sending.submit(() -> send(watcher.emitter(), data));
                    }
                }
            }
        }
    }

    private void end(Predicate<Watcher> which) {
        open.stream().filter(which).toList().forEach(watcher -> {
            open.remove(watcher);
            watchers.values().forEach(set -> set.remove(watcher));
            watchers.values().removeIf(Set::isEmpty);
            watcher.emitter().complete();
        });
    }

    /** The console session's handle on its streams, bound to the session so that its end ends them. */
    private SessionStreams streamsOf(HttpSession session) {
        synchronized (WebUtils.getSessionMutex(session)) {
            if (session.getAttribute(STREAMS) instanceof SessionStreams streams) {
                return streams;
            }
            SessionStreams streams = new SessionStreams(this, UUID.randomUUID());
            session.setAttribute(STREAMS, streams);
            return streams;
        }
    }

    private record SessionStreams(LiveTelemetry live, UUID id) implements HttpSessionBindingListener, Serializable {
        @Override
        public void valueUnbound(HttpSessionBindingEvent event) {
            live.end(watcher -> watcher.consoleSession().equals(id));
        }
    }

    private static void send(SseEmitter emitter, String data) {
        try {
            emitter.send(SseEmitter.event().name("point").data(data, MediaType.APPLICATION_JSON));
        } catch (IOException | IllegalStateException e) {
            emitter.completeWithError(e);
        }
    }
}
