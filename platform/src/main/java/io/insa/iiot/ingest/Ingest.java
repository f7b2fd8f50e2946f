package io.insa.iiot.ingest;

import io.insa.iiot.device.DeviceIdentity;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a transport asks of ingest (SPEC 2): hand over a device's message and get its outcome, which
 * completes after the commit (accepted), at once for a refusal (rejected) or when it cannot be
 * stored (failed: retry). Transports depend on this, not on {@link IngestService}, so that their
 * tests can hold, fail or refuse a message with a fake.
 */
public interface Ingest {

    /** One device's part of a message; a gateway's message has one per sub-device. */
    record Part(DeviceIdentity device, byte[] payload) {}

    CompletableFuture<IngestResult> telemetry(DeviceIdentity device, byte[] payload);

    CompletableFuture<IngestResult> attributes(DeviceIdentity device, byte[] payload);

    /** A message of several devices of one tenant, admitted whole or not at all, stored in one transaction. */
    CompletableFuture<IngestResult> telemetry(List<Part> parts);

    /** Attributes of several devices of one tenant, admitted whole or not at all. */
    CompletableFuture<IngestResult> attributes(List<Part> parts);

    /** The largest payload a transport should read before handing it over. */
    int maxPayloadBytes();
}
