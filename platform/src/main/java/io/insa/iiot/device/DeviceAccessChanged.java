package io.insa.iiot.device;

import io.insa.iiot.shared.TenantId;
import java.util.UUID;

/**
 * Who may act as a device changed. Published on every node after the change committed (SPEC 2), so
 * that sessions opened under the old state end: transports close connections and observations made
 * with revoked credentials, and gateways forget sub-devices they may no longer write for.
 */
public record DeviceAccessChanged(TenantId tenantId, UUID deviceId, Change change) {

    public enum Change {
        /** The device was deleted. */
        DELETED,
        /** Its access token was rotated or its MQTT credentials changed. */
        CREDENTIALS,
        /** It was assigned to another gateway, or to none. */
        GATEWAY,
        /** Its registered X.509 certificate was removed or replaced. */
        CERTIFICATE;

        /** Whether sessions the device opened with its token or MQTT credentials must end. */
        public boolean endsSessions() {
            return this == DELETED || this == CREDENTIALS;
        }

        /** Whether a gateway's right to write for the device may have gone. */
        public boolean endsGatewayAccess() {
            return this == DELETED || this == GATEWAY;
        }

        /** Whether sessions the device opened with its registered certificate must end. */
        public boolean endsRegisteredCertificateSessions() {
            return this == DELETED || this == CERTIFICATE;
        }
    }
}
