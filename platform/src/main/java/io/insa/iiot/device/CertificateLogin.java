package io.insa.iiot.device;

import java.util.Set;
import java.util.UUID;

/**
 * A device authenticated by its X.509 certificate, and what vouched for it: its own registered
 * certificate ({@code caId} null), or a chain up to the tenant's CA {@code caId} through certificates
 * of these serial numbers (lower-case hex). Transports keep it for the session, which ends when that
 * trust is withdrawn ({@link CertificateTrustChanged}, {@link DeviceAccessChanged.Change#CERTIFICATE}).
 */
public record CertificateLogin(DeviceIdentity device, UUID caId, Set<String> serials) {

    public CertificateLogin {
        serials = Set.copyOf(serials);
    }

    /** Whether the device's own registered certificate vouched for it (not a CA). */
    public boolean registered() {
        return caId == null;
    }
}
