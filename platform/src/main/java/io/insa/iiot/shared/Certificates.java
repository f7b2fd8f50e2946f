package io.insa.iiot.shared;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;

/** How the platform shows an X.509 certificate: its thumbprint (lower-case hex) and its PEM text. */
public final class Certificates {

    private Certificates() {}

    /** The digest of the certificate's DER encoding, e.g. "SHA-256" or "SHA-1" (what OPC UA servers show). */
    public static String thumbprint(X509Certificate certificate, String algorithm) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot digest a certificate with " + algorithm, e);
        }
    }

    public static String pem(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the certificate was read from its encoding", e);
        }
    }
}
