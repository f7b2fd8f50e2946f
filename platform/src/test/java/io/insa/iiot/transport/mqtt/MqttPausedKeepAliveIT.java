package io.insa.iiot.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.insa.iiot.ingest.IngestPressure;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Points;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * While the platform stops reading a connection (its ingest is under pressure, or the database is
 * unreachable), the client's silence is the platform's doing: the connection must outlive its
 * keep-alive, so that what the client sent next is read and acknowledged once reads resume; after
 * that, the keep-alive holds again.
 */
@Timeout(60)
class MqttPausedKeepAliveIT extends IntegrationTest {

    @Autowired
    MqttTransport transport;

    @Autowired
    IngestPressure pressure;

    @Test
    void aConnectionWhoseReadsThePlatformPausedOutlivesItsKeepAlive() throws Exception {
        Fixture.Member operator = fixture.member(fixture.tenant("Paused keep-alive"), "operator");
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("patient"));
        try (RawMqtt client = new RawMqtt(transport.port(), 4)) {
            client.connect(UUID.randomUUID().toString(), true, device.token(), 1);
            assertThat(client.read().type()).isEqualTo(RawMqtt.CONNACK);
            pressure.databaseUnreachable(true); // every connection's reads stop, as in an outage
            try {
                // a PUBLISH sent while reads are paused waits in the socket; the keep-alive (1 s) allows
                // 1.5 s of silence, and the pause lasts longer than that
                client.publish(MqttSession.TELEMETRY, 1, "{\"waited\": 1}".getBytes(StandardCharsets.UTF_8));
                Thread.sleep(4_000);
            } finally {
                pressure.databaseUnreachable(false);
            }
            RawMqtt.Packet answer = client.read();
            assertThat(answer)
                    .as("the connection is still open after the pause")
                    .isNotNull();
            assertThat(answer.type()).isEqualTo(RawMqtt.PUBACK);
            assertThat(client.read())
                    .as("once reads resumed, the keep-alive holds again: a silent client is closed")
                    .isNull();
        }
        assertThat(Points.count(device.id(), "waited")).isEqualTo(1);
    }

    /**
     * An idle device pings while reads are paused: the answer cannot wait for the pause to end, or the
     * client takes the server for dead. Once reads resume, each ping is answered once (by Vert.x again).
     */
    @Test
    void aPingWhileReadsArePausedIsAnsweredAtOnceAndOnlyOnce() throws Exception {
        Fixture.Member operator = fixture.member(fixture.tenant("Paused ping"), "operator");
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("pinging"));
        try (RawMqtt client = new RawMqtt(transport.port(), 4)) {
            client.connect(UUID.randomUUID().toString(), true, device.token(), 30);
            assertThat(client.read().type()).isEqualTo(RawMqtt.CONNACK);
            pressure.databaseUnreachable(true);
            try {
                client.ping();
                RawMqtt.Packet answer = client.read(2_000);
                assertThat(answer).as("an answer while reads are paused").isNotNull();
                assertThat(answer.type()).isEqualTo(RawMqtt.PINGRESP);
            } finally {
                pressure.databaseUnreachable(false);
            }
            client.ping();
            assertThat(client.read(2_000).type()).isEqualTo(RawMqtt.PINGRESP);
            assertThatThrownBy(() -> client.read(1_000))
                    .as("no second answer to either ping")
                    .isInstanceOf(SocketTimeoutException.class);
        }
    }
}
