package io.insa.iiot.device;

import io.insa.iiot.shared.TenantId;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A device's shared attributes changed, published on this node after the change committed, so that
 * transports tell the device (or its gateway, which names it by {@code deviceName}).
 *
 * @param updated JSON text per key set
 * @param deleted the keys removed
 * @param gatewayId the gateway that writes for the device, or null
 */
public record SharedAttributesChanged(
        TenantId tenant,
        UUID deviceId,
        String deviceName,
        UUID gatewayId,
        Map<String, String> updated,
        List<String> deleted) {}
