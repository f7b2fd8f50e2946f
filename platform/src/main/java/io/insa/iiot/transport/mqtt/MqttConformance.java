package io.insa.iiot.transport.mqtt;

import io.insa.iiot.transport.TransportMetrics;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.util.ReferenceCountUtil;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Vert.x MQTT 5.1 settles before the platform sees it, answered as SPEC 5 and docs/protocols.md
 * ("Limits and reason codes") say. One per connection, in its Netty pipeline right after the MQTT
 * decoder ({@link MqttPipelines}); event loop only.
 *
 * <ul>
 *   <li>An empty client id gets one assigned, also without a clean session: ThingsBoard's SDKs
 *       reconnect so after a dropped connection, and Vert.x would refuse that (0x85 / 0x02) forever.
 *       The CONNECT goes on with the assigned id and as a clean session, since no session can be
 *       resumed without an id (the platform keeps none anyway); an MQTT 5 client is told the id in
 *       CONNACK's Assigned Client Identifier (MQTT 5, 3.1.3-7). MQTT 3.1.1 requires a server to
 *       refuse an empty id without a clean session (MQTT-3.1.3-8); it is accepted, as ThingsBoard does.
 *   <li>A packet over the listener's limit ({@code insa.mqtt.max-message-size}, which MQTT 5 clients
 *       are told as Maximum Packet Size) fails in the decoder, which discards the rest of the
 *       connection's bytes, and Vert.x would close the connection without a word, so clients sent the
 *       same packet again forever. MQTT 5 gets DISCONNECT 0x95 <i>packet too large</i> before the close;
 *       MQTT 3.1.1 has no DISCONNECT from the server and is closed. Counted ({@code
 *       insa_transport_messages_total{outcome="too_large"}}) and logged, one line without the payload.
 *   <li>A PINGREQ while the platform has paused the connection's reads ({@link SocketReads}) is
 *       answered here: Vert.x would answer it only once reads resume, and a client that hears nothing
 *       for its keep-alive takes the server for dead and drops the connection (an outage or sustained
 *       overload would end every idle device's connection). Otherwise Vert.x answers it, and its
 *       keep-alive check counts it.
 * </ul>
 */
final class MqttConformance extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(MqttConformance.class);

    private final int maxMessageSize;
    private final TransportMetrics metrics;

    /** The protocol level of the CONNECT (4: 3.1.1, 5: 5); 0 before it. */
    private int version;

    private String clientId;
    /** The id this server gave the client, to be told in an MQTT 5 CONNACK; null when it brought one. */
    private String assigned;

    private boolean readsPaused;

    MqttConformance(int maxMessageSize, TransportMetrics metrics) {
        this.maxMessageSize = maxMessageSize;
        this.metrics = metrics;
    }

    /** The platform stopped reading this connection (true) or reads again. */
    void readsPaused(boolean paused) {
        readsPaused = paused;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof MqttMessage message && message.decoderResult().isFailure()) {
            if (version != 0 && message.decoderResult().cause() instanceof TooLongFrameException) {
                ReferenceCountUtil.release(msg);
                tooLarge(ctx, message);
                return;
            }
        } else if (msg instanceof MqttConnectMessage connect && version == 0) {
            version = connect.variableHeader().version();
            clientId = connect.payload().clientIdentifier();
            if (clientId == null || clientId.isEmpty()) {
                clientId = assigned = UUID.randomUUID().toString();
                msg = withClientId(connect, assigned);
            }
        } else if (readsPaused
                && msg instanceof MqttMessage ping
                && ping.fixedHeader().messageType() == MqttMessageType.PINGREQ) {
            ctx.writeAndFlush(MqttMessage.PINGRESP);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (assigned != null
                && version == MqttAnswers.MQTT_5
                && msg instanceof MqttConnAckMessage connAck
                && connAck.variableHeader().connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
            msg = withAssignedId(connAck, assigned);
        }
        ctx.write(msg, promise);
    }

    private void tooLarge(ChannelHandlerContext ctx, MqttMessage message) {
        metrics.tooLarge();
        boolean v5 = version == MqttAnswers.MQTT_5;
        String topic = message.variableHeader() instanceof MqttPublishVariableHeader publish
                ? " on '" + publish.topicName() + "'"
                : "";
        log.info(
                "MQTT client '{}' sent a {} packet{} of {} bytes, over the limit of {} (insa.mqtt.max-message-size): {}",
                clientId,
                message.fixedHeader().messageType(),
                topic,
                packetSize(message.fixedHeader().remainingLength()),
                maxMessageSize,
                v5 ? "DISCONNECT 0x95, closed" : "closed");
        if (!v5) {
            ctx.close();
            return;
        }
        MqttProperties properties = new MqttProperties();
        properties.add(new MqttProperties.StringProperty(
                MqttProperties.MqttPropertyType.REASON_STRING.value(),
                "packets are limited to " + maxMessageSize + " bytes"));
        MqttMessage disconnect = MqttMessageBuilders.disconnect()
                .reasonCode(MqttDisconnectReasonCode.PACKET_TOO_LARGE.value())
                .properties(properties)
                .build();
        ctx.writeAndFlush(disconnect).addListener(ChannelFutureListener.CLOSE);
    }

    /** The whole packet's size (what Maximum Packet Size measures): type byte, length field and the rest. */
    private static int packetSize(int remainingLength) {
        int lengthBytes =
                remainingLength < 128 ? 1 : remainingLength < 16_384 ? 2 : remainingLength < 2_097_152 ? 3 : 4;
        return 1 + lengthBytes + remainingLength;
    }

    /** The same CONNECT with the assigned id, as a clean session. */
    private static MqttConnectMessage withClientId(MqttConnectMessage connect, String id) {
        MqttConnectVariableHeader header = connect.variableHeader();
        MqttConnectPayload payload = connect.payload();
        return new MqttConnectMessage(
                connect.fixedHeader(),
                new MqttConnectVariableHeader(
                        header.name(),
                        header.version(),
                        header.hasUserName(),
                        header.hasPassword(),
                        header.isWillRetain(),
                        header.willQos(),
                        header.isWillFlag(),
                        true,
                        header.keepAliveTimeSeconds(),
                        header.properties()),
                new MqttConnectPayload(
                        id,
                        payload.willProperties(),
                        payload.willTopic(),
                        payload.willMessageInBytes(),
                        payload.userName(),
                        payload.passwordInBytes()));
    }

    private static MqttConnAckMessage withAssignedId(MqttConnAckMessage connAck, String id) {
        MqttProperties properties = new MqttProperties();
        connAck.variableHeader().properties().listAll().forEach(properties::add);
        properties.add(new MqttProperties.StringProperty(
                MqttProperties.MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER.value(), id));
        return new MqttConnAckMessage(
                connAck.fixedHeader(),
                new MqttConnAckVariableHeader(
                        MqttConnectReturnCode.CONNECTION_ACCEPTED,
                        connAck.variableHeader().isSessionPresent(),
                        properties));
    }
}
