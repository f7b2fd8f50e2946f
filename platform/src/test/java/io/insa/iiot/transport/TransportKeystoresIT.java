package io.insa.iiot.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.shared.ServerKeystore;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A TLS listener without a keystore of its own (MQTTS and AMQPS by default) serves the platform's key,
 * read once at start: a client that trusts the platform's certificate completes the handshake and is
 * shown that certificate.
 */
@Timeout(60)
class TransportKeystoresIT extends IntegrationTest {

    @Autowired
    TransportKeystores keystores;

    @Autowired
    ServerKeystore server;

    @Autowired
    Vertx vertx;

    @Test
    void aListenerWithoutAKeystoreOfItsOwnServesThePlatformsCertificate() throws Exception {
        NetServer listener = vertx.createNetServer(new NetServerOptions()
                        .setHost("127.0.0.1")
                        .setPort(0)
                        .setSsl(true)
                        .setKeyCertOptions(keystores.options(null, null)))
                .connectHandler(socket -> socket.handler(socket::write));
        listener.listen().await(10, TimeUnit.SECONDS);
        try (SSLSocket socket = (SSLSocket) TestCertificates.trusting(server.certificate())
                .getSocketFactory()
                .createSocket("127.0.0.1", listener.actualPort())) {
            socket.startHandshake();
            assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(server.certificate());
        } finally {
            listener.close().await(10, TimeUnit.SECONDS);
        }
    }
}
