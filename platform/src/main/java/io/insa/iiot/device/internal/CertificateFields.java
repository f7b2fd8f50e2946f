package io.insa.iiot.device.internal;

import io.insa.iiot.shared.Certificates;
import io.insa.iiot.shared.ProblemException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/** What device certificate login and registration read from an X.509 certificate, the same way. */
public final class CertificateFields {

    private CertificateFields() {}

    /** A PEM certificate an operator gave; anything else is a 400 problem on {@code certificate_pem}. */
    public static X509Certificate parse(String pem) {
        if (pem == null || pem.isBlank()) {
            throw ProblemException.badRequest("certificate_pem", "is required: a PEM certificate");
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.strip().getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw ProblemException.badRequest("certificate_pem", "is not a PEM X.509 certificate");
        }
    }

    /** The SHA-256 thumbprint a registered certificate is found by. */
    public static String thumbprint(X509Certificate certificate) {
        return Certificates.thumbprint(certificate, "SHA-256");
    }

    /** Whether the certificate is valid at that instant (neither expired nor not yet valid). */
    public static boolean validAt(X509Certificate certificate, Instant instant) {
        try {
            certificate.checkValidity(Date.from(instant));
            return true;
        } catch (GeneralSecurityException expiredOrNotYet) {
            return false;
        }
    }

    /** The subject's last non-blank CN, if any. */
    public static Optional<String> commonName(X509Certificate certificate) {
        try {
            LdapName name = new LdapName(subject(certificate));
            return name.getRdns().stream()
                    .filter(rdn -> rdn.getType().equalsIgnoreCase("CN"))
                    .map(Rdn::getValue)
                    .map(Object::toString)
                    .filter(cn -> !cn.isBlank())
                    .reduce((first, last) -> last);
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }

    public static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
    }

    public static OffsetDateTime notAfter(X509Certificate certificate) {
        return certificate.getNotAfter().toInstant().atOffset(ZoneOffset.UTC);
    }
}
