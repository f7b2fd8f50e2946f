package io.insa.iiot.ingest;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.shared.TenantId;
import java.util.List;
import java.util.Optional;
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

    /**
     * A device's request that is answered rather than stored (an attribute request, client-side RPC):
     * the checks every message passes, without a payload (the tenant is active, the tenant's and the
     * device's rate limits, which it counts against). Empty when it may be answered, else the refusal.
     */
    Optional<IngestResult> admitRequest(DeviceIdentity device);

    /** The largest payload a transport should read before handing it over. */
    int maxPayloadBytes();

    /**
     * True when a device message of the tenant would now be admitted without waiting: its tenant and
     * today's quota are in memory and the queue has room. A transport may then hand the message over
     * on its event loop instead of on a thread that may block; a race that makes the answer wrong
     * costs at most one short wait. False unless the implementation knows.
     */
    default boolean admitsWithoutWaiting(TenantId tenant) {
        return false;
    }
}
