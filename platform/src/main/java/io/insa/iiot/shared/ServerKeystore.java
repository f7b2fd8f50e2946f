package io.insa.iiot.shared;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The platform's TLS identity: the configured keystore ({@code insa.https.keystore}, PKCS#12 or JKS),
 * or else a self-signed certificate generated once into the data directory (owner-only files) whose
 * SHA-256 fingerprint is printed at start, so clients can pin it. HTTPS uses it, and so do MQTTS and
 * AMQPS unless they are given keystores of their own.
 */
@Component
public class ServerKeystore {

    private static final Logger log = LoggerFactory.getLogger(ServerKeystore.class);
    static final String GENERATED = "https-keystore.p12";
    static final String GENERATED_PASSWORD = "https-keystore.password";
    static final String ALIAS = "insa";

    private final Path path;
    private final String password;
    private final String type;
    private final boolean generated;
    /** Read once: every read of a PKCS#12 file derives its keys anew (PBKDF2), tens of milliseconds each at start. */
    private final KeyStore store;

    private KeyManagerFactory keyManagers;

    public ServerKeystore(
            @Value("${insa.https.keystore:}") String configured,
            @Value("${insa.https.keystore-password:}") String configuredPassword,
            DataDirectory data) {
        if (!configured.isBlank()) {
            this.path = Path.of(configured).toAbsolutePath();
            this.password = configuredPassword;
            this.type = configured.toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12";
            this.generated = false;
        } else {
            this.path = data.root().resolve(GENERATED);
            this.type = "PKCS12";
            this.generated = true;
            this.password = data.readSecret(GENERATED_PASSWORD)
                    .filter(p -> Files.exists(path))
                    .orElseGet(() -> {
                        String fresh = Secrets.newToken();
                        data.writeSecret(GENERATED, selfSigned(fresh.toCharArray()));
                        data.writeSecret(GENERATED_PASSWORD, fresh);
                        return fresh;
                    });
        }
        this.store = load(path, password, type);
        log.info(
                "TLS certificate {}: {}, SHA-256 fingerprint {}",
                generated ? "generated (self-signed)" : "configured",
                path,
                fingerprint());
    }

    public Path path() {
        return path;
    }

    public String password() {
        return password;
    }

    public String type() {
        return type;
    }

    public boolean generated() {
        return generated;
    }

    /** The SHA-256 fingerprint of the server certificate, as colon-separated hex (what browsers show). */
    public String fingerprint() {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256").digest(certificate().getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the server certificate of " + path, e);
        }
    }

    public X509Certificate certificate() {
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    return (X509Certificate) store.getCertificate(alias);
                }
            }
            throw new IllegalStateException(path + " holds no key entry");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the keystore " + path, e);
        }
    }

    /** The keystore as read at start, for HTTPS. */
    public KeyStore keyStore() {
        return store;
    }

    /** The key managers of the keystore, made once for every listener that serves the platform's key. */
    public synchronized KeyManagerFactory keyManagers() {
        if (keyManagers == null) {
            try {
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(store, password.toCharArray());
                keyManagers = factory;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot read the key of " + path, e);
            }
        }
        return keyManagers;
    }

    private static KeyStore load(Path path, String password, String type) {
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password.toCharArray());
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the keystore " + path, e);
        }
    }

    /** A PKCS#12 keystore with an EC P-256 key and a ten-year certificate for this host and loopback. */
    private static byte[] selfSigned(char[] password) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256, new SecureRandom());
            KeyPair pair = generator.generateKeyPair();
            String host = hostName();
            X500Name subject = new X500Name("CN=" + host + ",O=INSA IIoT Platform (self-signed)");
            Instant now = Instant.now();
            List<GeneralName> names = new ArrayList<>(List.of(
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.iPAddress, "::1")));
            if (!host.equals("localhost")) {
                names.add(new GeneralName(GeneralName.dNSName, host));
            }
            var builder = new JcaX509v3CertificateBuilder(
                            subject,
                            new BigInteger(64, new SecureRandom()),
                            Date.from(now.minus(Duration.ofDays(1))),
                            Date.from(now.plus(Duration.ofDays(3650))),
                            subject,
                            pair.getPublic())
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(names.toArray(GeneralName[]::new)))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, pair.getPrivate(), password, new Certificate[] {certificate});
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, password);
            return out.toByteArray();
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate the self-signed server certificate", e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "localhost";
        }
    }
}
