package io.insa.iiot.transport.mqtt;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The MQTT listeners ({@code insa.mqtt.*}).
 *
 * @param enabled whether the MQTT server runs at all
 * @param host address to bind
 * @param port plain listener (1883; 0 picks a free port)
 * @param maxMessageSize largest MQTT packet accepted
 * @param connectTimeoutSeconds time a client has to send CONNECT
 * @param tls the TLS listener beside the plain one
 */
@ConfigurationProperties("insa.mqtt")
record MqttSettings(boolean enabled, String host, int port, int maxMessageSize, int connectTimeoutSeconds, Tls tls) {

    /** @param keystore a PKCS#12 file with the server's key and certificate */
    record Tls(boolean enabled, int port, String keystore, String keystorePassword) {}
}
