package io.insa.iiot.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** PKIX validation of device chains against a tenant's CAs, and the checks the platform adds. */
class CertificateChainsTest {

    private static final Instant NOW = Instant.parse("2026-12-07T00:00:00Z");
    private static final AtomicLong SERIALS = new AtomicLong(0x1000);

    /** A certificate with its key pair. */
    private record Made(X509Certificate certificate, KeyPair pair) {}

    private final Made root = make("CN=Root", null, ca(Integer.MAX_VALUE), null, false);

    @Test
    void aLeafSignedByTheCaOrThroughIntermediatesInAnyOrderIsValid() {
        Made leaf = make("CN=pump-1", root, leaf(), null, false);
        assertThat(CertificateChains.validate(chain(leaf), anchors(), NOW))
                .hasValueSatisfying(v -> assertThat(v.serials())
                        .containsExactly(leaf.certificate().getSerialNumber().toString(16)));

        Made first = make("CN=Site CA", root, ca(Integer.MAX_VALUE), null, false);
        Made second = make("CN=Line CA", first, ca(Integer.MAX_VALUE), null, false);
        Made deep = make("CN=pump-2", second, leaf(), null, false);
        assertThat(CertificateChains.validate(chain(deep, first, second), anchors(), NOW))
                .hasValueSatisfying(v -> assertThat(v.anchor()).isEqualTo("root"))
                .hasValueSatisfying(v -> assertThat(v.serials()).hasSize(3));
        assertThat(CertificateChains.validate(chain(deep, second), anchors(), NOW))
                .as("an intermediate missing")
                .isEmpty();
    }

    @Test
    void basicConstraintsKeyUsageAndPathLengthAreEnforced() {
        Made notACa = make("CN=Not a CA", root, leaf(), null, false);
        assertThat(CertificateChains.validate(
                        chain(make("CN=pump-3", notACa, leaf(), null, false), notACa), anchors(), NOW))
                .as("issued by a certificate that is no CA")
                .isEmpty();

        Made noCertSign = make("CN=No keyCertSign", root, caWithUsage(KeyUsage.digitalSignature), null, false);
        assertThat(CertificateChains.validate(
                        chain(make("CN=pump-4", noCertSign, leaf(), null, false), noCertSign), anchors(), NOW))
                .as("an intermediate whose key usage does not allow signing certificates")
                .isEmpty();

        Made strictRoot = make("CN=Strict root", null, ca(0), null, false);
        Made intermediate = make("CN=Under strict", strictRoot, ca(Integer.MAX_VALUE), null, false);
        assertThat(CertificateChains.validate(
                        chain(make("CN=pump-5", intermediate, leaf(), null, false), intermediate),
                        Map.of(strictRoot.certificate(), "strict"),
                        NOW))
                .as("the CA's path length 0 allows no intermediate")
                .isEmpty();
        assertThat(CertificateChains.validate(
                        chain(make("CN=pump-6", strictRoot, leaf(), null, false)),
                        Map.of(strictRoot.certificate(), "strict"),
                        NOW))
                .isPresent();

        Made limited = make("CN=Limited", root, ca(0), null, false);
        Made below = make("CN=Below limited", limited, ca(Integer.MAX_VALUE), null, false);
        assertThat(CertificateChains.validate(
                        chain(make("CN=pump-7", below, leaf(), null, false), limited, below), anchors(), NOW))
                .as("an intermediate's path length")
                .isEmpty();
    }

    @Test
    void theLeafMustBeAValidClientCertificateAndNoCa() {
        assertThat(CertificateChains.validate(
                        chain(make("CN=server", root, leaf(), KeyPurposeId.id_kp_serverAuth, false)), anchors(), NOW))
                .as("extended key usage without clientAuth")
                .isEmpty();
        assertThat(CertificateChains.validate(
                        chain(make("CN=client", root, leaf(), KeyPurposeId.id_kp_clientAuth, false)), anchors(), NOW))
                .isPresent();
        assertThat(CertificateChains.validate(
                        chain(make("CN=sub CA", root, ca(Integer.MAX_VALUE), null, false)), anchors(), NOW))
                .as("a CA certificate is no device's")
                .isEmpty();
        assertThat(CertificateChains.validate(chain(make("CN=old", root, leaf(), null, true)), anchors(), NOW))
                .as("expired")
                .isEmpty();
        Made stranger = make("CN=Stranger", null, ca(Integer.MAX_VALUE), null, false);
        assertThat(CertificateChains.validate(chain(make("CN=pump-8", stranger, leaf(), null, false)), anchors(), NOW))
                .as("another CA")
                .isEmpty();
        assertThat(CertificateChains.validate(chain(make("CN=pump-9", root, leaf(), null, false)), Map.of(), NOW))
                .as("no verified CA")
                .isEmpty();
    }

    private Map<X509Certificate, String> anchors() {
        return Map.of(root.certificate(), "root");
    }

    private static X509Certificate[] chain(Made... certificates) {
        return java.util.Arrays.stream(certificates).map(Made::certificate).toArray(X509Certificate[]::new);
    }

    private static BasicConstraints leaf() {
        return new BasicConstraints(false);
    }

    private static Object ca(int pathLength) {
        return pathLength == Integer.MAX_VALUE ? new BasicConstraints(true) : new BasicConstraints(pathLength);
    }

    private static Object caWithUsage(int usage) {
        return new KeyUsage(usage);
    }

    /**
     * {@code constraints} is BasicConstraints, or a KeyUsage (then a CA without path length).
     * Self-signed when {@code issuer} is null.
     */
    private static Made make(String subject, Made issuer, Object constraints, KeyPurposeId purpose, boolean expired) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            KeyPair pair = generator.generateKeyPair();
            Instant from = expired ? NOW.minus(Duration.ofDays(30)) : NOW.minus(Duration.ofDays(1));
            Instant to = expired ? NOW.minus(Duration.ofDays(1)) : NOW.plus(Duration.ofDays(365));
            var builder = new JcaX509v3CertificateBuilder(
                    new X500Name(
                            issuer == null
                                    ? subject
                                    : issuer.certificate()
                                            .getSubjectX500Principal()
                                            .getName()),
                    BigInteger.valueOf(SERIALS.incrementAndGet()),
                    Date.from(from),
                    Date.from(to),
                    new X500Name(subject),
                    pair.getPublic());
            if (constraints instanceof KeyUsage usage) {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                builder.addExtension(Extension.keyUsage, true, usage);
            } else {
                builder.addExtension(Extension.basicConstraints, true, (BasicConstraints) constraints);
            }
            if (purpose != null) {
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            }
            var signer = new JcaContentSignerBuilder("SHA256withECDSA")
                    .build(issuer == null ? pair.getPrivate() : issuer.pair().getPrivate());
            return new Made(new JcaX509CertificateConverter().getCertificate(builder.build(signer)), pair);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
