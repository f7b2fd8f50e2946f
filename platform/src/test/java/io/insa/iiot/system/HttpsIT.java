package io.insa.iiot.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.shared.ServerKeystore;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.TestCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;

/**
 * HTTPS next to HTTP with the certificate generated into the data directory: the API and the console
 * answer over TLS with HSTS, the certificate presented is the one whose fingerprint is printed, its
 * files are the owner's only, and plain HTTP can be limited to loopback.
 */
@Timeout(60)
class HttpsIT extends IntegrationTest {

    @Autowired
    HttpsConnector https;

    @Autowired
    ServerKeystore keystore;

    @Test
    void theApiAndTheConsoleAnswerOverHttpsWithHstsAndTheGeneratedCertificate() throws Exception {
        assertThat(keystore.generated()).isTrue();
        HttpClient client = HttpClient.newBuilder()
                .sslContext(TestCertificates.trusting(keystore.certificate()))
                .build();

        HttpResponse<String> health = client.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + https.port() + "/api/v1/health"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.headers().firstValue("Strict-Transport-Security").orElse(""))
                .contains("max-age=");
        X509Certificate presented =
                (X509Certificate) health.sslSession().orElseThrow().getPeerCertificates()[0];
        assertThat(HexFormat.ofDelimiter(":")
                        .withUpperCase()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(presented.getEncoded())))
                .as("the certificate presented is the one whose fingerprint the start prints")
                .isEqualTo(keystore.fingerprint());

        HttpResponse<String> login = client.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + https.port() + "/console/login"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.headers().firstValue("Strict-Transport-Security")).isPresent();
        assertThat(login.headers().allValues("Set-Cookie"))
                .anySatisfy(cookie -> assertThat(cookie)
                        .contains("JSESSIONID")
                        .contains("Secure")
                        .contains("HttpOnly"));

        HttpResponse<String> plain = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/health"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.headers().firstValue("Strict-Transport-Security"))
                .as("no HSTS over plain HTTP")
                .isEmpty();
    }

    @Test
    void theGeneratedKeystoreAndItsPasswordAreReadableByTheOwnerOnly() throws Exception {
        for (var file : java.util.List.of(keystore.path(), keystore.path().resolveSibling("https-keystore.password"))) {
            assertThat(Files.exists(file)).as(file.toString()).isTrue();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
        }
        assertThat(keystore.certificate().getSubjectX500Principal().getName()).contains("self-signed");
    }

    @Test
    void withPlainHttpTurnedOffItListensOnLoopbackOnly() {
        var factory = new TomcatServletWebServerFactory();
        new HttpsConnector(keystore, true, 0, false).customize(factory);
        assertThat(factory.getAddress().isLoopbackAddress()).isTrue();
        assertThat(factory.getAdditionalConnectors()).hasSize(1);

        var open = new TomcatServletWebServerFactory();
        new HttpsConnector(keystore, true, 0, true).customize(open);
        assertThat(open.getAddress()).as("all interfaces").isNull();
    }
}
