package io.insa.iiot.system;

import io.insa.iiot.shared.ServerKeystore;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * HTTPS for the REST API, the console and the HTTP device API ({@code insa.https.port}, 8443) with
 * the platform's keystore, next to plain HTTP on {@code server.port}. With {@code
 * insa.http.enabled=false} the plain connector listens on loopback only, where the console calls its
 * own API; nothing outside the machine reaches plain HTTP then. HSTS goes out on every HTTPS answer
 * (Spring Security writes it on secure requests).
 */
@Component
class HttpsConnector implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private final ServerKeystore keystore;
    private final boolean httpsEnabled;
    private final int httpsPort;
    private final boolean httpEnabled;
    private volatile Connector connector;

    HttpsConnector(
            ServerKeystore keystore,
            @Value("${insa.https.enabled:true}") boolean httpsEnabled,
            @Value("${insa.https.port:8443}") int httpsPort,
            @Value("${insa.http.enabled:true}") boolean httpEnabled) {
        this.keystore = keystore;
        this.httpsEnabled = httpsEnabled;
        this.httpsPort = httpsPort;
        this.httpEnabled = httpEnabled;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        if (!httpEnabled) {
            factory.setAddress(java.net.InetAddress.getLoopbackAddress());
        }
        if (!httpsEnabled) {
            return;
        }
        Connector https = new Connector(TomcatServletWebServerFactory.DEFAULT_PROTOCOL);
        https.setScheme("https");
        https.setSecure(true);
        https.setPort(httpsPort);
        AbstractHttp11Protocol<?> protocol = (AbstractHttp11Protocol<?>) https.getProtocolHandler();
        protocol.setSSLEnabled(true);
        SSLHostConfig host = new SSLHostConfig();
        host.setProtocols("TLSv1.2+TLSv1.3");
        SSLHostConfigCertificate certificate =
                new SSLHostConfigCertificate(host, SSLHostConfigCertificate.Type.UNDEFINED);
        // the keystore as already read, not the file again (a PKCS#12 read costs key derivations)
        certificate.setCertificateKeystore(keystore.keyStore());
        certificate.setCertificateKeystorePassword(keystore.password());
        certificate.setCertificateKeystoreType(keystore.type());
        host.addCertificate(certificate);
        protocol.addSslHostConfig(host);
        factory.addAdditionalConnectors(https);
        connector = https;
    }

    /** The port HTTPS listens on (the bound one when configured as 0); -1 when HTTPS is off. */
    int port() {
        Connector current = connector;
        return current == null ? -1 : current.getLocalPort();
    }
}
