package io.insa.iiot.ingest;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.telemetry.DailyQuota;
import io.insa.iiot.telemetry.Point;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A message admitted to the queue, waiting for its batch to commit. Exactly one of {@code points}
 * and {@code attributes} is set.
 *
 * @param keyIds the tenant's ids of the points' keys
 * @param admission the points taken from the daily quota (none for attributes)
 */
record PendingMessage(
        DeviceIdentity device,
        Instant receivedAt,
        List<Point> points,
        Map<String, Integer> keyIds,
        Map<String, String> attributes,
        DailyQuota.Admission admission,
        long enqueuedNanos,
        CompletableFuture<IngestResult> result) {

    int pointCount() {
        return points == null ? 0 : points.size();
    }
}
