package io.insa.iiot.support;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates made by tests: CAs, device certificates they sign, self-signed, expired ones. */
public final class TestCertificates {

    /** A certificate and its key, and the intermediate certificates a client presents with it. */
    public record Issued(X509Certificate certificate, PrivateKey key, List<X509Certificate> intermediates) {

        public Issued(X509Certificate certificate, PrivateKey key) {
            this(certificate, key, List.of());
        }

        /** The same certificate, presented in TLS together with the intermediates that lead to its CA. */
        public Issued presentedWith(Issued... chain) {
            return new Issued(
                    certificate,
                    key,
                    java.util.Arrays.stream(chain).map(Issued::certificate).toList());
        }

        public String pem() {
            try {
                StringWriter out = new StringWriter();
                out.write("-----BEGIN CERTIFICATE-----\n");
                out.write(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded()));
                out.write("\n-----END CERTIFICATE-----\n");
                return out.toString();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** The private key as PKCS#8 PEM, for clients that read key files. */
        public String keyPem() {
            return "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
        }

        public String serialHex() {
            return certificate.getSerialNumber().toString(16);
        }

        /** The key manager a TLS client presents this certificate with. */
        public KeyManagerFactory keyManagers() {
            try {
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(store(), PASSWORD.toCharArray());
                return factory;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** Certificate and key as a PKCS#12 keystore (password {@link #PASSWORD}). */
        public byte[] pkcs12() {
            try {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                store().store(out, PASSWORD.toCharArray());
                return out.toByteArray();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private KeyStore store() throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            List<Certificate> chain = new java.util.ArrayList<>();
            chain.add(certificate);
            chain.addAll(intermediates);
            store.setKeyEntry("device", key, PASSWORD.toCharArray(), chain.toArray(Certificate[]::new));
            return store;
        }
    }

    public static final String PASSWORD = "pw";

    private TestCertificates() {}

    public static Issued ca(String name) {
        KeyPair pair = pair();
        return new Issued(build("CN=" + name, "CN=" + name, pair, pair.getPrivate(), valid(), true), pair.getPrivate());
    }

    /** A certificate signed by {@code ca} for another CA ({@code isCa}), or for a non-CA that signs anyway. */
    public static Issued intermediate(Issued ca, String name, boolean isCa) {
        KeyPair pair = pair();
        String issuer = ca.certificate().getSubjectX500Principal().getName();
        return new Issued(build("CN=" + name, issuer, pair, ca.key(), valid(), isCa), pair.getPrivate());
    }

    public static Issued signed(Issued ca, String commonName) {
        return signed(ca, commonName, valid());
    }

    public static Issued signed(Issued ca, String commonName, Instant[] validity) {
        KeyPair pair = pair();
        String issuer = ca.certificate().getSubjectX500Principal().getName();
        return new Issued(build("CN=" + commonName, issuer, pair, ca.key(), validity, false), pair.getPrivate());
    }

    public static Issued selfSigned(String commonName, Instant[] validity) {
        KeyPair pair = pair();
        return new Issued(
                build("CN=" + commonName, "CN=" + commonName, pair, pair.getPrivate(), validity, false),
                pair.getPrivate());
    }

    public static Instant[] valid() {
        Instant now = Instant.now();
        return new Instant[] {now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365))};
    }

    public static Instant[] expired() {
        Instant now = Instant.now();
        return new Instant[] {now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))};
    }

    private static KeyPair pair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate build(
            String subject, String issuer, KeyPair pair, PrivateKey signer, Instant[] validity, boolean ca) {
        try {
            var builder = new JcaX509v3CertificateBuilder(
                            new X500Name(issuer),
                            new BigInteger(64, new SecureRandom()).add(BigInteger.ONE),
                            Date.from(validity[0]),
                            Date.from(validity[1]),
                            new X500Name(subject),
                            pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS client context that trusts {@code certificate} and nothing else. */
    public static SSLContext trusting(X509Certificate certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("trusted", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
