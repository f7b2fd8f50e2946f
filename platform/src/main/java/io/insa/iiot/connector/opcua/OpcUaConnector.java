package io.insa.iiot.connector.opcua;

import io.insa.iiot.shared.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A tenant's connection to an OPC UA server (SPEC 5): where, how securely, as whom, and which nodes
 * feed which device's keys.
 *
 * @param publishingIntervalMs how often the server publishes the subscription, or null: as often as the fastest
 *     mapping is sampled (within 100 ms and 1 s)
 * @param trustedThumbprint SHA-1 (hex) of the server certificate a tenant admin trusted, or null
 */
public record OpcUaConnector(
        UUID id,
        TenantId tenant,
        String name,
        String endpointUrl,
        String securityPolicy,
        String securityMode,
        Auth auth,
        boolean enabled,
        Integer publishingIntervalMs,
        List<Mapping> mappings,
        String trustedThumbprint,
        Instant createdAt,
        Instant updatedAt) {

    /** Who the platform is to the server; the password is plain in memory only, sealed at rest. */
    public record Auth(String type, String username, String password) {
        static final Auth ANONYMOUS = new Auth("anonymous", null, null);
    }

    /** A node that feeds a device's key, sampled at an interval, with an optional deadband and a linear scaling. */
    public record Mapping(
            String nodeId,
            String deviceName,
            String key,
            int samplingIntervalMs,
            Deadband deadband,
            double scale,
            double offset) {}

    /** absolute (in the value's unit) or percent (of the variable's EU range) */
    public record Deadband(String type, double value) {}
}
