package io.insa.iiot.device;

import static io.insa.iiot.device.internal.CertificateFields.commonName;
import static io.insa.iiot.device.internal.CertificateFields.notAfter;
import static io.insa.iiot.device.internal.CertificateFields.parse;
import static io.insa.iiot.device.internal.CertificateFields.subject;
import static io.insa.iiot.device.internal.CertificateFields.thumbprint;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditEvent.Actor;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.device.DeviceAccessChanged.Change;
import io.insa.iiot.device.internal.CertificateFields;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Ids;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

/**
 * What a tenant trusts for X.509 device login ({@link DeviceCertificates}): each device's registered
 * certificate, and the tenant's CAs with their proof of possession and revoked serial numbers.
 */
@Service
class CertificateRegistry {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A device's registered certificate as the API shows it. */
    public record Registered(String thumbprint, String subject, OffsetDateTime notAfter) {}

    /**
     * A tenant's CA as the API shows it: it serves only once {@code verified}; until then the
     * verification code is shown, which the CN of a certificate signed by the CA's key must carry.
     */
    public record CaCertificate(
            UUID id,
            String subject,
            String thumbprint,
            OffsetDateTime notAfter,
            boolean autoProvision,
            OffsetDateTime createdAt,
            boolean verified,
            OffsetDateTime verifiedAt,
            String verificationCode) {}

    private final CertificateRepository certificates;
    private final Devices devices;
    private final TenantTransactions transactions;
    private final DeviceAccessChanges accessChanges;
    private final AuditLog audit;
    private final Clock clock;

    CertificateRegistry(
            CertificateRepository certificates,
            Devices devices,
            TenantTransactions transactions,
            DeviceAccessChanges accessChanges,
            AuditLog audit,
            Clock clock) {
        this.certificates = certificates;
        this.devices = devices;
        this.transactions = transactions;
        this.accessChanges = accessChanges;
        this.audit = audit;
        this.clock = clock;
    }

    Registered register(Caller caller, TenantId tenant, UUID device, String pem) {
        X509Certificate certificate = parse(pem);
        if (!valid(certificate)) {
            throw ProblemException.badRequest("certificate_pem", "the certificate is expired or not yet valid");
        }
        Registered registered = new Registered(thumbprint(certificate), subject(certificate), notAfter(certificate));
        transactions.inTenant(tenant, () -> {
            if (!devices.exists(tenant, device)) {
                throw ProblemException.notFound("device " + device);
            }
            try {
                certificates.putDeviceCertificate(
                        tenant,
                        device,
                        registered.thumbprint(),
                        registered.subject(),
                        registered.notAfter(),
                        Times.now(clock));
            } catch (DuplicateKeyException e) {
                // unique within the tenant only: other tenants' registrations are none of its business
                throw ProblemException.conflict("this certificate is registered for another device of this tenant");
            }
            // a replaced certificate no longer holds for sessions opened with it
            accessChanges.announce(new DeviceAccessChanged(tenant, device, Change.CERTIFICATE));
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "device.certificate_register", "device", device)
                    .withDetail("thumbprint", registered.thumbprint()));
        });
        return registered;
    }

    void unregister(Caller caller, TenantId tenant, UUID device) {
        transactions.inTenant(tenant, () -> {
            if (!certificates.deleteDeviceCertificate(device)) {
                throw ProblemException.notFound("a certificate of device " + device);
            }
            accessChanges.announce(new DeviceAccessChanged(tenant, device, Change.CERTIFICATE));
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "device.certificate_remove", "device", device));
        });
    }

    /** Stores a tenant's CA unverified, with the code its proof of possession must carry. */
    CaCertificate addCa(Caller caller, TenantId tenant, String pem, boolean autoProvision) {
        X509Certificate certificate = parse(pem);
        if (!CertificateChains.signsCertificates(certificate)) {
            throw ProblemException.badRequest(
                    "certificate_pem", "is not a CA certificate (basic constraints, key usage keyCertSign)");
        }
        if (!valid(certificate)) {
            throw ProblemException.badRequest("certificate_pem", "the certificate is expired or not yet valid");
        }
        CaCertificate ca = new CaCertificate(
                Ids.newId(),
                subject(certificate),
                thumbprint(certificate),
                notAfter(certificate),
                autoProvision,
                Times.now(clock),
                false,
                null,
                verificationCode());
        transactions.inTenant(tenant, () -> {
            try {
                certificates.insertCa(tenant, ca, pem.strip());
            } catch (DuplicateKeyException e) {
                throw ProblemException.conflict("this tenant has a CA with this subject already");
            }
            audit.record(
                    AuditEvent.success(tenant, Actor.of(caller), "ca_certificate.create", "ca_certificate", ca.id())
                            .withDetail("subject", ca.subject()));
        });
        return ca;
    }

    /**
     * Proof of possession (the Azure DPS / AWS IoT flow): a certificate whose CN is the CA's
     * verification code, signed by the CA's key, marks the CA verified. From then on it authenticates
     * and provisions the tenant's devices.
     */
    CaCertificate verifyCa(Caller caller, TenantId tenant, UUID id, String pem) {
        X509Certificate proof = parse(pem);
        return transactions.inTenant(tenant, () -> {
            CertificateRepository.StoredCa stored =
                    certificates.ca(id).orElseThrow(() -> ProblemException.notFound("CA certificate " + id));
            if (stored.ca().verified()) {
                return stored.ca();
            }
            if (!commonName(proof).map(stored.ca().verificationCode()::equals).orElse(false)) {
                throw ProblemException.badRequest("certificate_pem", "its CN must be the CA's verification code");
            }
            if (!valid(proof) || !signedBy(proof, parse(stored.certificatePem()))) {
                throw ProblemException.badRequest("certificate_pem", "must be valid now and signed by the CA's key");
            }
            OffsetDateTime now = Times.now(clock);
            certificates.markVerified(id, now);
            accessChanges.announce(new CertificateTrustChanged(tenant, id, null));
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "ca_certificate.verify", "ca_certificate", id));
            return certificates.ca(id).orElseThrow().ca();
        });
    }

    List<CaCertificate> cas(TenantId tenant) {
        return transactions.inTenant(tenant, certificates::cas);
    }

    void deleteCa(Caller caller, TenantId tenant, UUID id) {
        transactions.inTenant(tenant, () -> {
            if (!certificates.deleteCa(id)) {
                throw ProblemException.notFound("CA certificate " + id);
            }
            accessChanges.announce(new CertificateTrustChanged(tenant, id, null));
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "ca_certificate.delete", "ca_certificate", id));
        });
    }

    /** Revokes a serial number (hex, as OpenSSL prints it) of a certificate in chains ending at the CA. */
    void revoke(Caller caller, TenantId tenant, UUID ca, String serialNumber) {
        String serial = serial(serialNumber);
        if (!serial.matches("[0-9a-f]{1,64}")) {
            throw ProblemException.badRequest("serial_number", "must be hexadecimal, e.g. 1f:a0:03 or 1FA003");
        }
        transactions.inTenant(tenant, () -> {
            if (!certificates.caExists(ca)) {
                throw ProblemException.notFound("CA certificate " + ca);
            }
            certificates.revoke(tenant, ca, serial, Times.now(clock));
            accessChanges.announce(new CertificateTrustChanged(tenant, ca, serial));
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "ca_certificate.revoke", "ca_certificate", ca)
                    .withDetail("serial_number", serial));
        });
    }

    private static boolean signedBy(X509Certificate certificate, X509Certificate ca) {
        try {
            certificate.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException notSigned) {
            return false;
        }
    }

    private static String verificationCode() {
        byte[] code = new byte[20];
        RANDOM.nextBytes(code);
        return HexFormat.of().formatHex(code);
    }

    /** A serial number as stored: lower-case hex without separators or leading zeros. */
    static String serial(String typed) {
        String hex = typed == null ? "" : typed.replace(":", "").strip().toLowerCase(Locale.ROOT);
        return hex.replaceFirst("^0+(?=.)", "");
    }

    private boolean valid(X509Certificate certificate) {
        return CertificateFields.validAt(certificate, clock.instant());
    }
}
