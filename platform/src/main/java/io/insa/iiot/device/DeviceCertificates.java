package io.insa.iiot.device;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditEvent.Actor;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.device.DeviceAccessChanged.Change;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Certificates;
import io.insa.iiot.shared.Ids;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * X.509 device authentication (SPEC 5, the AWS IoT / Azure IoT Hub model). A device names itself
 * (its id, or {@code <tenant slug>/<device name>}) and presents a certificate; the name fixes the
 * tenant and the device, the certificate only proves the claim: it must be the certificate registered
 * for that device (by SHA-256 thumbprint), or chain up (PKIX, {@link CertificateChains}) to a CA of
 * that tenant whose key the tenant proved to hold, with the device's name as its CN and no revoked
 * serial number on the way. A CA may create a device it vouches for on first connect, within
 * max_devices. A certificate alone never chooses a tenant, and registrations of the same certificate
 * or CA by other tenants play no part. The TLS listener accepts any client certificate; trust is
 * decided here.
 */
@Service
public class DeviceCertificates {

    private static final Logger log = LoggerFactory.getLogger(DeviceCertificates.class);
    static final String DEVICE_TYPE = "x509";
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

    /** Whom a device names itself as: a device id, or a tenant's slug and a device name. */
    private record Claim(UUID deviceId, String slug, String name) {

        /** a device id as the platform writes it: 8-4-4-4-12 hexadecimal digits */
        private static final int CANONICAL_ID_LENGTH = 36;

        static Optional<Claim> of(String claimed) {
            if (claimed == null || claimed.isEmpty() || claimed.length() > 400) {
                return Optional.empty();
            }
            int slash = claimed.indexOf('/');
            if (slash > 0 && slash < claimed.length() - 1) {
                return Optional.of(new Claim(null, claimed.substring(0, slash), claimed.substring(slash + 1)));
            }
            if (claimed.length() != CANONICAL_ID_LENGTH) { // an access token: no exception for each connect
                return Optional.empty();
            }
            try {
                return Optional.of(new Claim(UUID.fromString(claimed), null, null));
            } catch (IllegalArgumentException notAnId) {
                return Optional.empty();
            }
        }
    }

    private final CertificateRepository certificates;
    private final Devices devices;
    private final Gateways gateways;
    private final TenantTransactions transactions;
    private final DeviceAccessChanges accessChanges;
    private final AuditLog audit;
    private final Clock clock;

    DeviceCertificates(
            CertificateRepository certificates,
            Devices devices,
            Gateways gateways,
            TenantTransactions transactions,
            DeviceAccessChanges accessChanges,
            AuditLog audit,
            Clock clock) {
        this.certificates = certificates;
        this.devices = devices;
        this.gateways = gateways;
        this.transactions = transactions;
        this.accessChanges = accessChanges;
        this.audit = audit;
        this.clock = clock;
    }

    // ------------------------------------------------------------------ authentication

    /**
     * Whether a name a client gives (MQTT username or client id, AMQP authzid or container id) has the
     * form of a device's name for certificate login: a device id or {@code <tenant slug>/<device name>}.
     * Access tokens have neither form.
     */
    public static boolean namesADevice(String claimed) {
        return Claim.of(claimed).isPresent();
    }

    /**
     * The device {@code claimed} names, if the presented chain (leaf first) proves the claim: the
     * certificate registered for that device, or a chain to a verified CA of the device's tenant
     * whose leaf's CN is the device's name. A {@code <slug>/<name>} device that does not exist yet is
     * created when that CA allows it and the tenant has room.
     */
    public Optional<CertificateLogin> authenticate(String claimed, X509Certificate[] chain) {
        Optional<Claim> claim = Claim.of(claimed);
        if (chain == null || chain.length == 0 || claim.isEmpty()) {
            return Optional.empty();
        }
        X509Certificate leaf = chain[0];
        Claim named = claim.get();
        Optional<TenantId> tenant = transactions.global(() -> named.deviceId() != null
                ? certificates.tenantOfDevice(named.deviceId())
                : certificates.tenantBySlug(named.slug()));
        if (tenant.isEmpty() || !valid(leaf)) {
            return Optional.empty();
        }
        Optional<DeviceIdentity> device = named.deviceId() != null
                ? devices.identity(tenant.get(), named.deviceId())
                : devices.named(tenant.get(), named.name());
        if (device.isEmpty()) {
            return provisioned(tenant.get(), named, leaf, chain);
        }
        return transactions.inTenant(tenant.get(), () -> proven(device.get(), leaf, chain));
    }

    /** Inside the device's tenant: its registered certificate, or one a verified CA signed for its name. */
    private Optional<CertificateLogin> proven(DeviceIdentity device, X509Certificate leaf, X509Certificate[] chain) {
        if (certificates.registered(device.deviceId(), thumbprint(leaf))) {
            return Optional.of(new CertificateLogin(device, null, Set.of()));
        }
        return anchored(device.name(), leaf, chain)
                .map(path -> new CertificateLogin(device, path.anchor().id(), path.serials()));
    }

    /** A {@code <slug>/<name>} device that does not exist yet, created for a CA that allows it. */
    private Optional<CertificateLogin> provisioned(
            TenantId tenant, Claim claim, X509Certificate leaf, X509Certificate[] chain) {
        if (claim.name() == null) {
            return Optional.empty();
        }
        Optional<CertificateChains.Validated<CertificateRepository.TrustedCa>> path =
                transactions.inTenant(tenant, () -> anchored(claim.name(), leaf, chain));
        if (path.isEmpty() || !path.get().anchor().autoProvision()) {
            return Optional.empty();
        }
        UUID ca = path.get().anchor().id();
        try {
            DeviceIdentity device = gateways.namedDevice(
                    tenant, claim.name(), DEVICE_TYPE, new Actor("system", ca.toString(), "CA certificate"));
            return Optional.of(new CertificateLogin(device, ca, path.get().serials()));
        } catch (ProblemException quota) {
            log.info("device {} of CA {} not created: {}", claim.name(), ca, quota.detail());
            return Optional.empty();
        }
    }

    /**
     * In the tenant's transaction: the verified CA the chain leads to, when the leaf's CN is the
     * device's name and no certificate of the path has a serial number the CA revoked.
     */
    private Optional<CertificateChains.Validated<CertificateRepository.TrustedCa>> anchored(
            String deviceName, X509Certificate leaf, X509Certificate[] chain) {
        if (!commonName(leaf).map(deviceName::equals).orElse(false)) {
            return Optional.empty(); // the CA vouches for the name in its certificate, nothing else
        }
        Map<X509Certificate, CertificateRepository.TrustedCa> anchors = new HashMap<>();
        for (CertificateRepository.TrustedCa ca : certificates.trustedCas(Times.now(clock))) {
            anchors.put(parse(ca.certificatePem()), ca);
        }
        return CertificateChains.validate(chain, anchors, clock.instant())
                .filter(path -> java.util.Collections.disjoint(
                        path.serials(),
                        certificates.revokedSerials(path.anchor().id())));
    }

    private boolean valid(X509Certificate certificate) {
        try {
            certificate.checkValidity(java.util.Date.from(clock.instant()));
            return true;
        } catch (GeneralSecurityException expiredOrNotYet) {
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
                certificate.getSubjectX500Principal().getName(X500Principal.RFC2253),
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
            } catch (org.springframework.dao.DuplicateKeyException e) {
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
        return Certificates.thumbprint(certificate, "SHA-256");
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
