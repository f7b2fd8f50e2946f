package io.insa.iiot.transport.mqtt;

import io.insa.iiot.transport.TransportMetrics;
import io.vertx.core.Context;
import io.vertx.mqtt.MqttEndpoint;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The order and pace of one connection's answers: every message is answered in the order the PUBLISHes
 * came (MQTT 3.1.1 and 5, 4.6), whichever batch commits first; reads are paused while the ingest queue
 * is high (SPEC 10, 11) and, for MQTT 3.1.1, which is told no Receive Maximum, while
 * {@value #MAX_INFLIGHT} messages await their answer. Event loop only, but for {@link #drain()}.
 */
final class MqttFlow {

    static final int MAX_INFLIGHT = 100;

    private final MqttEndpoint endpoint;
    private final Context context;
    private final TransportMetrics metrics;

    private CompletableFuture<Void> answered = CompletableFuture.completedFuture(null);
    private int inflight;
    private boolean pausedForPressure;
    private boolean pausedForInflight;
    private boolean paused;

    MqttFlow(MqttEndpoint endpoint, Context context, TransportMetrics metrics) {
        this.endpoint = endpoint;
        this.context = context;
        this.metrics = metrics;
    }

    /** A message came; false when it is one more than an MQTT 5 client's Receive Maximum allows. */
    boolean taken(boolean v5) {
        if (++inflight > MAX_INFLIGHT && v5) {
            return false;
        }
        if (inflight >= MAX_INFLIGHT) {
            pausedForInflight = true; // MQTT 3.1.1 knows no Receive Maximum: stop reading instead of closing
            apply();
        }
        return true;
    }

    /** Answers a message once {@code ready} completes and every earlier message is answered. */
    <T> void inOrder(CompletableFuture<T> ready, Consumer<T> answer) {
        answered = answered.thenCombine(ready, (previous, r) -> r)
                .thenAccept(r -> context.runOnContext(v -> {
                    // the answer first: if it closes the connection, the connection is not resumed
                    if (endpoint.isConnected()) {
                        answer.accept(r);
                    }
                    inflight--;
                    if (pausedForInflight && inflight < MAX_INFLIGHT) {
                        pausedForInflight = false;
                        apply();
                    }
                }));
    }

    /** The ingest queue went above its high-water mark (true) or back below the low one. */
    void pressure(boolean high) {
        pausedForPressure = high;
        apply();
    }

    private void apply() {
        if (!endpoint.isConnected()) {
            // never read again: what waited in it goes with it (resumed, Vert.x would refuse each message)
            return;
        }
        boolean pause = pausedForPressure || pausedForInflight;
        if (pause == paused) {
            return;
        }
        paused = pause;
        if (pause) {
            SocketReads.pause(endpoint);
            metrics.paused();
        } else {
            SocketReads.resume(endpoint);
            metrics.resumed();
        }
    }

    /** The connection closed: a pause it held counts no more. */
    void closed() {
        if (paused) {
            paused = false;
            metrics.resumed();
        }
    }

    /** Any thread, at shutdown: waits (at most 10 s) until what was taken is answered. */
    void drain() {
        try {
            answered.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway: unacknowledged messages are sent again by the client
        }
    }
}
