package io.insa.iiot.device;

import static io.insa.iiot.device.internal.CertificateFields.commonName;
import static io.insa.iiot.device.internal.CertificateFields.parse;
import static io.insa.iiot.device.internal.CertificateFields.thumbprint;

import io.insa.iiot.audit.AuditEvent.Actor;
import io.insa.iiot.device.internal.CertificateFields;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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
 * decided here. Registering certificates and CAs is {@link CertificateRegistry}'s.
 */
@Service
public class DeviceCertificates {

    private static final Logger log = LoggerFactory.getLogger(DeviceCertificates.class);
    static final String DEVICE_TYPE = "x509";

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
    private final Clock clock;

    DeviceCertificates(
            CertificateRepository certificates,
            Devices devices,
            Gateways gateways,
            TenantTransactions transactions,
            Clock clock) {
        this.certificates = certificates;
        this.devices = devices;
        this.gateways = gateways;
        this.transactions = transactions;
        this.clock = clock;
    }

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
                .filter(path -> Collections.disjoint(
                        path.serials(),
                        certificates.revokedSerials(path.anchor().id())));
    }

    private boolean valid(X509Certificate certificate) {
        return CertificateFields.validAt(certificate, clock.instant());
    }
}
