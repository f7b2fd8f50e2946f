package io.insa.iiot.connector.opcua;

import io.insa.iiot.shared.DataDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator;
import org.springframework.stereotype.Component;

/**
 * The platform's OPC UA application instance certificate: generated once into the data directory
 * ({@code opcua-client.p12}, mode 0600) and presented to servers for Sign / SignAndEncrypt and for
 * certificate authentication.
 */
@Component
class ClientCertificate {

    static final String APPLICATION_URI = "urn:insa:iiot:opcua-client";
    private static final String FILE = "opcua-client.p12";
    private static final String ALIAS = "client";
    /** The keystore only protects the file's format: the file itself is readable by the owner only. */
    private static final char[] STORE_PASSWORD = "insa-opcua".toCharArray();

    private final KeyPair keyPair;
    private final X509Certificate certificate;

    ClientCertificate(DataDirectory data) {
        Path file = data.root().resolve(FILE);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            if (Files.exists(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    store.load(in, STORE_PASSWORD);
                }
            } else {
                KeyPair generated = SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
                X509Certificate cert = new SelfSignedCertificateBuilder(generated)
                        .setCommonName("INSA IIoT Platform")
                        .setOrganization("INSA IIoT")
                        .setApplicationUri(APPLICATION_URI)
                        .addDnsName("localhost")
                        .build();
                store.load(null, null);
                store.setKeyEntry(ALIAS, generated.getPrivate(), STORE_PASSWORD, new X509Certificate[] {cert});
                Files.createDirectories(data.root());
                Path temp = Files.createTempFile(
                        data.root(),
                        ".opcua-client",
                        ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.TRUNCATE_EXISTING)) {
                    store.store(out, STORE_PASSWORD);
                }
                Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            X509Certificate cert = (X509Certificate) store.getCertificate(ALIAS);
            PrivateKey key = (PrivateKey) store.getKey(ALIAS, STORE_PASSWORD);
            this.certificate = cert;
            this.keyPair = new KeyPair(cert.getPublicKey(), key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the OPC UA client certificate in " + file, e);
        }
    }

    KeyPair keyPair() {
        return keyPair;
    }

    X509Certificate certificate() {
        return certificate;
    }
}
