package io.insa.iiot.device;

import io.insa.iiot.shared.TenantId;
import java.util.UUID;

/**
 * A tenant's CA vouches for less than before: it was deleted, its verification changed, or one serial
 * number it issued was revoked ({@code serialNumber}, lower-case hex; null: every certificate of the
 * CA). Published on every node after the change committed, like {@link DeviceAccessChanged}, so that
 * the certificate sessions resting on it end.
 */
public record CertificateTrustChanged(TenantId tenantId, UUID caId, String serialNumber) {}
