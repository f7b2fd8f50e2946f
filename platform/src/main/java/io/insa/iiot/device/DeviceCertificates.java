package io.insa.iiot.device;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditEvent.Actor;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Ids;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * X.509 device authentication (SPEC 9): a device's own certificate registered by its SHA-256
 * thumbprint, or a tenant's CA whose signed certificates name their device in the CN (created on first
 * connect, within max_devices, when the CA allows). Expired certificates, expired CAs and revoked
 * serial numbers are refused. The TLS listener accepts any client certificate; trust is decided here.
 */
@Service
public class DeviceCertificates {

    private static final Logger log = LoggerFactory.getLogger(DeviceCertificates.class);
    static final String DEVICE_TYPE = "x509";

    /** A device's registered certificate as the API shows it. */
    public record Registered(String thumbprint, String subject, OffsetDateTime notAfter) {}

    /** A tenant's CA as the API shows it. */
    public record CaCertificate(
            UUID id,
            String subject,
            String thumbprint,
            OffsetDateTime notAfter,
            boolean autoProvision,
            OffsetDateTime createdAt) {}

    private final CertificateRepository certificates;
    private final Devices devices;
    private final TenantTransactions transactions;
    private final AuditLog audit;
    private final Clock clock;

    DeviceCertificates(
            CertificateRepository certificates,
            Devices devices,
            TenantTransactions transactions,
            AuditLog audit,
            Clock clock) {
        this.certificates = certificates;
        this.devices = devices;
        this.transactions = transactions;
        this.audit = audit;
        this.clock = clock;
    }

    // ------------------------------------------------------------------ authentication

    /** The device a presented certificate chain (leaf first) stands for, if the platform trusts it. */
    public Optional<DeviceIdentity> authenticate(X509Certificate[] chain) {
        if (chain == null || chain.length == 0) {
            return Optional.empty();
        }
        X509Certificate leaf = chain[0];
        if (!valid(leaf)) {
            return Optional.empty();
        }
        Optional<CertificateRepository.DeviceMatch> registered =
                transactions.global(() -> certificates.deviceByThumbprint(thumbprint(leaf)));
        if (registered.isPresent()) {
            return registered.map(CertificateRepository.DeviceMatch::device);
        }
        String issuer = leaf.getIssuerX500Principal().getName(X500Principal.RFC2253);
        return transactions
                .global(() -> certificates.issuer(
                        issuer, serial(leaf.getSerialNumber().toString(16))))
                .filter(ca -> !ca.revoked())
                .filter(ca -> signedBy(leaf, parse(ca.certificatePem())))
                .flatMap(ca -> deviceNamedIn(leaf, ca));
    }

    private Optional<DeviceIdentity> deviceNamedIn(X509Certificate leaf, CertificateRepository.IssuerMatch ca) {
        Optional<String> name = commonName(leaf);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        if (!ca.autoProvision()) {
            return devices.named(ca.tenant(), name.get());
        }
        try {
            return Optional.of(devices.namedDevice(
                    ca.tenant(),
                    name.get(),
                    DEVICE_TYPE,
                    new Actor("system", ca.caId().toString(), "CA certificate")));
        } catch (ProblemException quota) {
            log.info("device {} of CA {} not created: {}", name.get(), ca.caId(), quota.detail());
            return Optional.empty();
        }
    }

    private boolean valid(X509Certificate certificate) {
        try {
            certificate.checkValidity(java.util.Date.from(clock.instant()));
            return true;
        } catch (GeneralSecurityException expiredOrNotYet) {
            return false;
        }
    }

    private boolean signedBy(X509Certificate leaf, X509Certificate ca) {
        try {
            leaf.verify(ca.getPublicKey());
            return valid(ca);
        } catch (GeneralSecurityException notSigned) {
            return false;
        }
    }

    // ------------------------------------------------------------------ registration

    Registered register(Caller caller, TenantId tenant, UUID device, String pem) {
        X509Certificate certificate = parse(pem);
        if (!valid(certificate)) {
            throw ProblemException.badRequest("certificate_pem", "the certificate is expired or not yet valid");
        }
        Registered registered = new Registered(
                thumbprint(certificate),
                certificate.getSubjectX500Principal().getName(X500Principal.RFC2253),
                notAfter(certificate));
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
            } catch (org.springframework.dao.DuplicateKeyException e) {
                throw ProblemException.conflict("this certificate is registered for another device");
            }
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
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "device.certificate_remove", "device", device));
        });
    }

    CaCertificate addCa(Caller caller, TenantId tenant, String pem, boolean autoProvision) {
        X509Certificate certificate = parse(pem);
        if (certificate.getBasicConstraints() < 0) {
            throw ProblemException.badRequest("certificate_pem", "is not a CA certificate (basic constraints)");
        }
        if (!valid(certificate)) {
            throw ProblemException.badRequest("certificate_pem", "the certificate is expired or not yet valid");
        }
        CaCertificate ca = new CaCertificate(
                Ids.newId(),
                certificate.getSubjectX500Principal().getName(X500Principal.RFC2253),
                thumbprint(certificate),
                notAfter(certificate),
                autoProvision,
                Times.now(clock));
        transactions.inTenant(tenant, () -> {
            try {
                certificates.insertCa(tenant, ca, pem.strip());
            } catch (org.springframework.dao.DuplicateKeyException e) {
                throw ProblemException.conflict("a CA with this subject is registered already");
            }
            audit.record(
                    AuditEvent.success(tenant, Actor.of(caller), "ca_certificate.create", "ca_certificate", ca.id())
                            .withDetail("subject", ca.subject()));
        });
        return ca;
    }

    List<CaCertificate> cas(TenantId tenant) {
        return transactions.inTenant(tenant, certificates::cas);
    }

    void deleteCa(Caller caller, TenantId tenant, UUID id) {
        transactions.inTenant(tenant, () -> {
            if (!certificates.deleteCa(id)) {
                throw ProblemException.notFound("CA certificate " + id);
            }
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "ca_certificate.delete", "ca_certificate", id));
        });
    }

    /** Revokes a serial number (hex, as OpenSSL prints it) of a certificate the CA issued. */
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
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "ca_certificate.revoke", "ca_certificate", ca)
                    .withDetail("serial_number", serial));
        });
    }

    // ------------------------------------------------------------------ certificates

    static X509Certificate parse(String pem) {
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

    static String thumbprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** A serial number as stored: lower-case hex without separators or leading zeros. */
    static String serial(String typed) {
        String hex = typed == null ? "" : typed.replace(":", "").strip().toLowerCase(Locale.ROOT);
        String trimmed = hex.replaceFirst("^0+(?=.)", "");
        return trimmed;
    }

    private static Optional<String> commonName(X509Certificate certificate) {
        try {
            LdapName name = new LdapName(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253));
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

    private static OffsetDateTime notAfter(X509Certificate certificate) {
        return certificate.getNotAfter().toInstant().atOffset(ZoneOffset.UTC);
    }
}
