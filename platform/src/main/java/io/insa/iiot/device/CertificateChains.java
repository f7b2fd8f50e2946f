package io.insa.iiot.device;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Validates a device's certificate chain against its tenant's CAs with the JDK's PKIX
 * {@link CertPathValidator}: signatures, validity, basic constraints (every issuer below the CA must
 * be a CA), key usage (keyCertSign on issuers), path length. PKIX revocation checking is off, since
 * it would fetch CRLs or ask OCSP responders and the server connects out to nobody; the platform's
 * own revoked serial numbers are checked by the caller against the CA the path ends at.
 */
final class CertificateChains {

    /** More intermediates than any device presents; ends the walk through a presented chain. */
    static final int MAX_INTERMEDIATES = 8;

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

    /** A validated chain: the anchor it ends at and the serial numbers of the certificates below it. */
    record Validated<C>(C anchor, Set<String> serials) {}

    private CertificateChains() {}

    /**
     * The anchor (one of {@code anchors}, keyed by its certificate) that {@code presented} (leaf first,
     * then intermediates in any order, as TLS hands them over) chains up to, valid at {@code at}.
     */
    static <C> Optional<Validated<C>> validate(
            X509Certificate[] presented, Map<X509Certificate, C> anchors, Instant at) {
        if (presented.length == 0 || anchors.isEmpty()) {
            return Optional.empty();
        }
        X509Certificate leaf = presented[0];
        if (leaf.getBasicConstraints() >= 0 || !usableForClientAuth(leaf)) {
            return Optional.empty(); // a CA certificate is no device's
        }
        Set<javax.security.auth.x500.X500Principal> anchorNames = anchors.keySet().stream()
                .map(X509Certificate::getSubjectX500Principal)
                .collect(Collectors.toSet());
        List<X509Certificate> path = new ArrayList<>(List.of(leaf));
        X509Certificate last = leaf;
        while (!anchorNames.contains(last.getIssuerX500Principal()) && path.size() <= MAX_INTERMEDIATES) {
            X509Certificate issuer = issuerOf(last, presented, path);
            if (issuer == null) {
                return Optional.empty();
            }
            path.add(issuer);
            last = issuer;
        }
        try {
            Set<TrustAnchor> trust = new HashSet<>();
            anchors.keySet().forEach(ca -> trust.add(new TrustAnchor(ca, null)));
            PKIXParameters parameters = new PKIXParameters(trust);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(at));
            PKIXCertPathValidatorResult result = (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
            X509Certificate anchor = result.getTrustAnchor().getTrustedCert();
            // the JDK does not apply the anchor's own path length constraint
            if (path.size() - 1 > anchor.getBasicConstraints()) {
                return Optional.empty();
            }
            Set<String> serials = path.stream()
                    .map(c -> c.getSerialNumber().toString(16).toLowerCase(Locale.ROOT))
                    .collect(Collectors.toSet());
            return Optional.of(new Validated<>(anchors.get(anchor), serials));
        } catch (GeneralSecurityException | ClassCastException invalid) {
            return Optional.empty();
        }
    }

    /** Key usage and extended key usage, when the certificate states them, allow a TLS client. */
    static boolean usableForClientAuth(X509Certificate leaf) {
        boolean[] keyUsage = leaf.getKeyUsage();
        if (keyUsage != null && !keyUsage[0]) { // digitalSignature
            return false;
        }
        try {
            List<String> extended = leaf.getExtendedKeyUsage();
            return extended == null || extended.contains(CLIENT_AUTH) || extended.contains(ANY_EXTENDED_KEY_USAGE);
        } catch (java.security.cert.CertificateParsingException e) {
            return false;
        }
    }

    /** Whether a CA certificate may sign certificates, as far as it says (key usage keyCertSign). */
    static boolean signsCertificates(X509Certificate ca) {
        boolean[] keyUsage = ca.getKeyUsage();
        return ca.getBasicConstraints() >= 0 && (keyUsage == null || keyUsage[5]);
    }

    private static X509Certificate issuerOf(
            X509Certificate certificate, X509Certificate[] presented, List<X509Certificate> path) {
        for (int i = 1; i < presented.length; i++) {
            X509Certificate candidate = presented[i];
            if (candidate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())
                    && !path.contains(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
