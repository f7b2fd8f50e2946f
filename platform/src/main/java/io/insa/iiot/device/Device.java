package io.insa.iiot.device;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * A device as the API shows it (SPEC 4.1). {@code status} is online or offline; {@code gatewayId} is
 * the gateway that may write for it, or null.
 */
public record Device(
        UUID id,
        String name,
        String type,
        Map<String, String> labels,
        Map<String, Object> attributes,
        String status,
        boolean connected,
        OffsetDateTime lastSeenAt,
        UUID gatewayId,
        OffsetDateTime createdAt) {}
