package io.insa.iiot.transport.mqtt;

import io.vertx.core.net.NetSocket;
import io.vertx.mqtt.MqttEndpoint;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pauses and resumes the reads of an MQTT connection: the backpressure of SPEC 11 (slow a sender
 * down instead of closing its connection).
 *
 * <p>Vert.x MQTT 5.1 offers no pause on {@link MqttEndpoint}, but the endpoint reads from a
 * {@link NetSocket}, and {@link NetSocket#pause()} is Vert.x's own flow control: decoded packets
 * wait in the socket's small inbound queue, and once that is full Vert.x turns Netty's auto-read
 * off, so the kernel's receive buffer fills and TCP stops the client. {@link NetSocket#resume()}
 * delivers what waited and reads again. So the only thing not public is how to reach the socket: the
 * endpoint's private field {@code conn} of {@code io.vertx.mqtt.impl.MqttEndpointImpl}, looked up
 * once. This beats setting auto-read on the Netty channel ourselves, which would race with Vert.x's
 * own pause and resume of the same channel. If a Vert.x upgrade removes the field, pausing becomes a
 * no-op (logged once at start) and {@code MqttOutcomesIT} fails.
 *
 * <p>Call on the connection's event loop.
 */
final class SocketReads {

    private static final Logger log = LoggerFactory.getLogger(SocketReads.class);
    private static final String IMPL = "io.vertx.mqtt.impl.MqttEndpointImpl";
    private static final VarHandle CONN = connField();

    private SocketReads() {}

    static void pause(MqttEndpoint endpoint) {
        NetSocket socket = socket(endpoint);
        if (socket != null) {
            socket.pause();
        }
    }

    static void resume(MqttEndpoint endpoint) {
        NetSocket socket = socket(endpoint);
        if (socket != null) {
            socket.resume();
        }
    }

    private static NetSocket socket(MqttEndpoint endpoint) {
        if (CONN == null || !endpoint.getClass().getName().equals(IMPL)) {
            return null;
        }
        return (NetSocket) CONN.get(endpoint);
    }

    private static VarHandle connField() {
        try {
            Class<?> impl = Class.forName(IMPL);
            for (var field : impl.getDeclaredFields()) {
                if (field.getName().equals("conn") && NetSocket.class.isAssignableFrom(field.getType())) {
                    return MethodHandles.privateLookupIn(impl, MethodHandles.lookup())
                            .findVarHandle(impl, "conn", field.getType());
                }
            }
            log.warn("Vert.x MQTT has no field 'conn': MQTT reads cannot be paused under overload");
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("MQTT reads cannot be paused under overload: {}", e.toString());
        }
        return null;
    }
}
