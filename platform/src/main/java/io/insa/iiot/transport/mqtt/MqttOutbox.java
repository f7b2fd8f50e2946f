package io.insa.iiot.transport.mqtt;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttEndpoint;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one connection sends its client: only to topic filters the client subscribed to, at the QoS
 * granted (at most 1), from any thread, on the connection's event loop.
 */
final class MqttOutbox {

    private final MqttEndpoint endpoint;
    private final Context context;
    private final Map<String, MqttQoS> granted = new ConcurrentHashMap<>();

    MqttOutbox(MqttEndpoint endpoint, Context context) {
        this.endpoint = endpoint;
        this.context = context;
    }

    void granted(String filter, MqttQoS qos) {
        granted.put(filter, qos);
    }

    /** Whether the filter was subscribed before (false: a first subscription). */
    boolean subscribed(String filter) {
        return granted.containsKey(filter);
    }

    void unsubscribed(String filter) {
        granted.remove(filter);
    }

    /** Publishes to {@code topic} if the client holds a subscription to {@code filter}; else nothing. */
    void publish(String filter, String topic, byte[] payload) {
        MqttQoS qos = granted.get(filter);
        if (qos == null) {
            return;
        }
        context.runOnContext(v -> {
            if (endpoint.isConnected()) {
                endpoint.publish(topic, Buffer.buffer(payload), qos, false, false);
            }
        });
    }
}
