package io.insa.iiot.transport.mqtt;

import io.insa.iiot.device.DeviceCertificates;
import io.insa.iiot.transport.DeviceEdge;
import io.vertx.mqtt.MqttEndpoint;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLPeerUnverifiedException;

/** What an MQTT CONNECT presents as the device's credentials. */
final class MqttLogin {

    private MqttLogin() {}

    /**
     * A certificate login names its device (username, else client id) and has no password; anything
     * else is an access token or MQTT basic credentials.
     */
    static DeviceEdge.Credentials credentials(MqttEndpoint endpoint) {
        String clientId = endpoint.clientIdentifier();
        String username = endpoint.auth() == null ? null : endpoint.auth().getUsername();
        String password = endpoint.auth() == null ? null : endpoint.auth().getPassword();
        String claimed = username == null || username.isEmpty() ? clientId : username;
        X509Certificate[] presented =
                (password == null || password.isEmpty()) && DeviceCertificates.namesADevice(claimed)
                        ? presentedCertificates(endpoint)
                        : null;
        return presented != null
                ? new DeviceEdge.ClientCertificate(claimed, presented)
                : new DeviceEdge.MqttCredentials(clientId, username, password);
    }

    /** The client certificate chain of a TLS connection; null when there is none. */
    private static X509Certificate[] presentedCertificates(MqttEndpoint endpoint) {
        if (!endpoint.isSsl() || endpoint.sslSession() == null) {
            return null;
        }
        try {
            return Arrays.stream(endpoint.sslSession().getPeerCertificates())
                    .filter(X509Certificate.class::isInstance)
                    .map(X509Certificate.class::cast)
                    .toArray(X509Certificate[]::new);
        } catch (SSLPeerUnverifiedException none) {
            return null;
        }
    }
}
