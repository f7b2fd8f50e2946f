package io.insa.iiot.ingest;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.telemetry.DailyQuota;
import io.insa.iiot.telemetry.Point;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A device's message admitted to the queue, waiting for its batch to commit. Exactly one of {@code
 * points} and {@code attributes} is set. A message of several devices (a gateway's) is queued as one
 * element holding its {@code parts}, which the writer takes into one batch together.
 *
 * @param reservation the points taken from the daily quota (none for attributes); it gives itself
 *     back when the result is anything but accepted
 * @param parts the device messages of a message admitted whole, or null for a single device's
 */
record PendingMessage(
        DeviceIdentity device,
        Instant receivedAt,
        List<Point> points,
        Map<String, String> attributes,
        DailyQuota.Reservation reservation,
        long enqueuedNanos,
        CompletableFuture<IngestResult> result,
        List<PendingMessage> parts) {

    static PendingMessage telemetry(
            DeviceIdentity device, Instant receivedAt, List<Point> points, DailyQuota.Reservation reservation) {
        CompletableFuture<IngestResult> result = new CompletableFuture<>();
        reservation.settleOn(result, IngestResult.Accepted.class::isInstance);
        return new PendingMessage(device, receivedAt, points, null, reservation, System.nanoTime(), result, null);
    }

    static PendingMessage attributes(DeviceIdentity device, Instant receivedAt, Map<String, String> attributes) {
        return new PendingMessage(
                device, receivedAt, null, attributes, null, System.nanoTime(), new CompletableFuture<>(), null);
    }

    /** Several device messages that must be written in the same transaction. */
    static PendingMessage whole(List<PendingMessage> parts) {
        PendingMessage first = parts.get(0);
        return new PendingMessage(
                first.device(), first.receivedAt(), null, null, null, first.enqueuedNanos(), null, parts);
    }

    /** The device messages of this element: its parts, or itself for a single device's message. */
    List<PendingMessage> deviceMessages() {
        return parts == null ? List.of(this) : parts;
    }

    /** Completes when every device message of this element has its answer. */
    CompletableFuture<Void> answered() {
        return parts == null
                ? result.thenAccept(r -> {})
                : CompletableFuture.allOf(
                        parts.stream().map(PendingMessage::result).toArray(CompletableFuture[]::new));
    }

    int pointCount() {
        return points == null ? 0 : points.size();
    }
}
