package io.insa.iiot.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.transport.TransportMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.junit.jupiter.api.Test;

/** Which CONNECTs and CONNACKs {@link MqttConformance} changes, and how (the wire: MqttConformanceIT). */
class MqttConformanceTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(
            new MqttConformance(65_536, new TransportMetrics(new SimpleMeterRegistry(), "mqtt", null)));

    @Test
    void anEmptyClientIdIsAssignedOneAndGoesOnAsACleanSessionToldInAnMqtt5Connack() {
        channel.writeInbound(connect(MqttVersion.MQTT_5, "", false));
        MqttConnectMessage passedOn = channel.readInbound();

        String assigned = passedOn.payload().clientIdentifier();
        assertThat(assigned).isNotEmpty();
        assertThat(passedOn.variableHeader().isCleanSession()).isTrue();
        assertThat(passedOn.payload().userName()).isEqualTo("token");

        channel.writeOutbound(connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED));
        MqttConnAckMessage told = channel.readOutbound();
        assertThat(told.variableHeader().properties().getProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER))
                .extracting(MqttProperties.MqttProperty::value)
                .isEqualTo(assigned);
        assertThat(told.variableHeader().properties().getProperty(MqttProperties.RECEIVE_MAXIMUM))
                .as("what the session put in stays")
                .isNotNull();
    }

    @Test
    void aClientsOwnIdAndSessionFlagArePassedOnAsTheyCame() {
        MqttConnectMessage connect = connect(MqttVersion.MQTT_5, "plc-7", false);
        channel.writeInbound(connect);
        assertThat((Object) channel.readInbound()).isSameAs(connect);

        MqttConnAckMessage connAck = connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        channel.writeOutbound(connAck);
        assertThat((Object) channel.readOutbound()).isSameAs(connAck);
    }

    @Test
    void anMqtt311ClientIsNotToldTheId() {
        channel.writeInbound(connect(MqttVersion.MQTT_3_1_1, "", false));
        MqttConnectMessage passedOn = channel.readInbound();
        assertThat(passedOn.payload().clientIdentifier()).isNotEmpty();
        assertThat(passedOn.variableHeader().isCleanSession()).isTrue();

        MqttConnAckMessage connAck = connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        channel.writeOutbound(connAck);
        assertThat((Object) channel.readOutbound()).isSameAs(connAck);
    }

    @Test
    void aRefusalIsNotToldTheId() {
        channel.writeInbound(connect(MqttVersion.MQTT_5, "", true));
        channel.readInbound();

        MqttConnAckMessage connAck = connAck(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5);
        channel.writeOutbound(connAck);
        assertThat((Object) channel.readOutbound()).isSameAs(connAck);
    }

    private static MqttConnectMessage connect(MqttVersion version, String clientId, boolean cleanSession) {
        return MqttMessageBuilders.connect()
                .protocolVersion(version)
                .clientId(clientId)
                .cleanSession(cleanSession)
                .hasUser(true)
                .username("token")
                .keepAlive(60)
                .build();
    }

    private static MqttConnAckMessage connAck(MqttConnectReturnCode code) {
        MqttProperties properties = new MqttProperties();
        properties.add(new MqttProperties.IntegerProperty(
                MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value(), MqttFlow.MAX_INFLIGHT));
        return MqttMessageBuilders.connAck()
                .returnCode(code)
                .sessionPresent(false)
                .properties(properties)
                .build();
    }
}
