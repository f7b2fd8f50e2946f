package io.insa.iiot.transport.amqp;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The AMQP 1.0 listener ({@code insa.amqp.*}).
 *
 * @param enabled whether the AMQP server runs at all
 * @param host address to bind
 * @param port plain listener (5672; 0 picks a free port)
 * @param linkCredit messages a device may have in flight on one link: the link's backpressure
 * @param tls the TLS listener
 */
@ConfigurationProperties("insa.amqp")
record AmqpSettings(boolean enabled, String host, int port, int linkCredit, Tls tls) {

    /** The TLS listener (5671) beside the plain one; a PKCS#12 keystore with the server's key. */
    record Tls(boolean enabled, int port, String keystore, String keystorePassword) {}
}
