package io.insa.iiot.transport.mqtt;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.mqtt.MqttEndpoint;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
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
 * <p>While reads are paused, the client's silence is the platform's doing, so the keep-alive is not
 * enforced: Vert.x closes a connection that reads nothing for 1.5 times its keep-alive (its
 * {@value #IDLE} handler), which would end every connection a pause outlasts (an outage, sustained
 * overload), and unacknowledged messages would be sent again on new connections. The handler is taken
 * out on pause and put back, counting afresh, on resume, and meanwhile {@link MqttConformance} answers
 * the client's PINGREQ itself ({@code MqttPausedKeepAliveIT}).
 *
 * <p>Call on the connection's event loop.
 */
final class SocketReads {

    private static final Logger log = LoggerFactory.getLogger(SocketReads.class);
    private static final String IMPL = "io.vertx.mqtt.impl.MqttEndpointImpl";
    /** Vert.x MQTT's names: its keep-alive check, the handler acting on it, its connection handler. */
    private static final String IDLE = "idle";

    private static final String KEEP_ALIVE_HANDLER = "keepAliveHandler";
    private static final String CONNECTION_HANDLER = "handler";
    /** The keep-alive check taken out while reads are paused, to be put back on resume. */
    private static final AttributeKey<Long> SUSPENDED_IDLE_MILLIS = AttributeKey.valueOf("insa.suspendedIdleMillis");

    private static final VarHandle CONN = connField();

    private SocketReads() {}

    static void pause(MqttEndpoint endpoint) {
        NetSocket socket = socket(endpoint);
        if (socket != null) {
            socket.pause();
            suspendKeepAlive(socket);
        }
    }

    static void resume(MqttEndpoint endpoint) {
        NetSocket socket = socket(endpoint);
        if (socket != null) {
            restoreKeepAlive(socket);
            socket.resume();
        }
    }

    private static void suspendKeepAlive(NetSocket socket) {
        if (!(socket instanceof NetSocketInternal internal)) {
            return;
        }
        ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
        if (pipeline.get(MqttConformance.class) instanceof MqttConformance conformance) {
            conformance.readsPaused(true); // it answers PINGREQ meanwhile
        }
        if (pipeline.get(IDLE) instanceof IdleStateHandler idle) {
            pipeline.remove(IDLE);
            pipeline.channel().attr(SUSPENDED_IDLE_MILLIS).set(idle.getReaderIdleTimeInMillis());
        }
    }

    private static void restoreKeepAlive(NetSocket socket) {
        if (!(socket instanceof NetSocketInternal internal)) {
            return;
        }
        ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
        if (pipeline.get(MqttConformance.class) instanceof MqttConformance conformance) {
            conformance.readsPaused(false);
        }
        Long millis = pipeline.channel().attr(SUSPENDED_IDLE_MILLIS).getAndSet(null);
        if (millis == null || !pipeline.channel().isActive() || pipeline.get(IDLE) != null) {
            return;
        }
        String before = pipeline.get(KEEP_ALIVE_HANDLER) != null ? KEEP_ALIVE_HANDLER : CONNECTION_HANDLER;
        if (pipeline.get(before) != null) {
            pipeline.addBefore(before, IDLE, new IdleStateHandler(millis, 0, 0, TimeUnit.MILLISECONDS));
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
