package io.insa.iiot.transport;

import io.insa.iiot.shared.ServerKeystore;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.TrustOptions;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.X509TrustManager;
import org.springframework.stereotype.Component;

/** The key a TLS listener serves: its own keystore when configured, else the platform's (as HTTPS). */
@Component
public class TransportKeystores {

    private final ServerKeystore server;

    TransportKeystores(ServerKeystore server) {
        this.server = server;
    }

    /**
     * A device listener's TLS: {@code options} on {@code port} with the key of {@code keystore} (else the
     * platform's), client certificates asked for and taken as presented ({@link #anyClientCertificate()}).
     */
    public <O extends NetServerOptions> O deviceTls(O options, int port, String keystore, String password) {
        options.setPort(port)
                .setSsl(true)
                .setKeyCertOptions(options(keystore, password))
                .setClientAuth(ClientAuth.REQUEST)
                .setTrustOptions(anyClientCertificate());
        return options;
    }

    public KeyCertOptions options(String keystore, String password) {
        if (keystore == null || keystore.isBlank()) {
            // the platform's key managers, made once: reading the file again per listener costs key derivations
            return KeyCertOptions.wrap(server.keyManagers());
        }
        return options(keystore, password, keystore.toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12");
    }

    /**
     * Client certificates are asked for and taken as presented: which certificate stands for which
     * device (registered, or signed by a tenant's CA, not expired, not revoked) is decided by
     * {@link io.insa.iiot.device.DeviceCertificates} once the connection is up. Devices without one
     * still connect and authenticate with their token or MQTT credentials.
     */
    public TrustOptions anyClientCertificate() {
        return TrustOptions.wrap(new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                // decided by the platform after the handshake
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("a listener never checks servers");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        });
    }

    private static KeyCertOptions options(String path, String password, String type) {
        return "JKS".equals(type)
                ? new JksOptions().setPath(path).setPassword(password)
                : new PfxOptions().setPath(path).setPassword(password);
    }
}
