package io.insa.iiot.ingest;

import io.insa.iiot.device.DeviceIdentity;
import java.util.concurrent.CompletableFuture;

/**
 * What a transport asks of ingest (SPEC 2): hand over a device's message and get its outcome, which
 * completes after the commit (accepted), at once for a refusal (rejected) or when it cannot be
 * stored (failed: retry). Transports depend on this, not on {@link IngestService}, so that their
 * tests can hold, fail or refuse a message with a fake.
 */
public interface Ingest {

    CompletableFuture<IngestResult> telemetry(DeviceIdentity device, byte[] payload);

    CompletableFuture<IngestResult> attributes(DeviceIdentity device, byte[] payload);

    /** The largest payload a transport should read before handing it over. */
    int maxPayloadBytes();
}
