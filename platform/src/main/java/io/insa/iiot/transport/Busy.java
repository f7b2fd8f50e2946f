package io.insa.iiot.transport;

import io.insa.iiot.ingest.IngestResult;
import java.time.Duration;

/**
 * The answer of a request transport (HTTP, CoAP) while the ingest queue is above its high-water mark:
 * the message is not admitted and the device is told to retry soon (503 / 5.03 with a retry time).
 * Socket transports do not use it: they slow their senders down instead.
 */
public final class Busy {

    public static final IngestResult.Failed ANSWER = new IngestResult.Failed(
            "the platform is busy: the ingest queue is above its high-water mark; retry", Duration.ofSeconds(1));

    private Busy() {}
}
