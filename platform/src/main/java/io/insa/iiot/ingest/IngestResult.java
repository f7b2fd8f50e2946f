package io.insa.iiot.ingest;

import java.time.Duration;

/**
 * What became of a device's message: accepted (committed), rejected (the device's fault: it should
 * not send the same again) or failed (the platform's fault: it should retry).
 */
public sealed interface IngestResult {

    /** Why a message was refused; each transport maps it to its own code (SPEC 5). */
    enum Reason {
        MALFORMED,
        TENANT_SUSPENDED,
        RATE_LIMITED,
        QUOTA_EXCEEDED,
        /** The device was deleted while its message was on its way. */
        DEVICE_DELETED
    }

    record Accepted(int points) implements IngestResult {}

    /** @param retryAfter when the limit that refused it resets, or null */
    record Rejected(Reason reason, String detail, Duration retryAfter) implements IngestResult {}

    record Failed(String detail, Duration retryAfter) implements IngestResult {}
}
