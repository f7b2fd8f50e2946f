package io.insa.iiot.ingest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The messages this node put into Kafka that wait for their answer, by partition and offset, and the
 * answers of whichever node wrote them: "every record of partition p up to offset o is written", with
 * the few device messages that were not stored (device deleted, or failed) named. An answer may come
 * before the offset is known here (the producer's acknowledgement and the writer's commit race), so
 * each partition remembers how far it was answered and its recent exceptions.
 */
final class KafkaAnswers {

    /** What became of a device message that was not stored. */
    static final char STORED = 'S';

    static final char DELETED = 'D';
    static final char FAILED = 'F';

    /** Exceptions kept per partition for answers that arrive before their offset is known here. */
    private static final int RECENT_EXCEPTIONS = 4_096;

    private final Map<Integer, Partition> partitions = new ConcurrentHashMap<>();

    /** The element went to {@code partition} at {@code offset}; answered at once if that is known already. */
    void waitFor(int partition, long offset, PendingMessage element) {
        Partition p = partition(partition);
        p.waiting.put(offset, element);
        element.answered().whenComplete((r, e) -> p.waiting.remove(offset, element)); // e.g. answer timeout
        if (offset <= p.answeredUpTo) {
            answer(p, offset);
        }
    }

    /**
     * Every record of {@code partition} up to {@code upTo} is written; {@code exceptions} holds, per
     * offset, a code for each device message of that record (its parts in order) where not all were
     * stored.
     */
    void answered(int partition, long upTo, Map<Long, String> exceptions) {
        Partition p = partition(partition);
        synchronized (p.recent) {
            p.recent.putAll(exceptions);
        }
        synchronized (p) {
            p.answeredUpTo = Math.max(p.answeredUpTo, upTo);
        }
        for (Long offset : new ArrayList<>(p.waiting.headMap(upTo, true).keySet())) {
            answer(p, offset);
        }
    }

    private void answer(Partition p, long offset) {
        PendingMessage element = p.waiting.remove(offset);
        if (element == null) {
            return; // answered by the other path, or timed out
        }
        String codes;
        synchronized (p.recent) {
            codes = p.recent.get(offset);
        }
        List<PendingMessage> parts = element.deviceMessages();
        for (int i = 0; i < parts.size(); i++) {
            PendingMessage m = parts.get(i);
            char code = codes == null || i >= codes.length() ? STORED : codes.charAt(i);
            m.result().complete(outcome(code, m));
        }
    }

    /** The code of a device message's answer, as {@link #answered} takes it. */
    static char code(IngestResult result) {
        return switch (result) {
            case IngestResult.Accepted a -> STORED;
            case IngestResult.Rejected r when r.reason() == IngestResult.Reason.DEVICE_DELETED -> DELETED;
            default -> FAILED;
        };
    }

    private static IngestResult outcome(char code, PendingMessage m) {
        return switch (code) {
            case STORED -> new IngestResult.Accepted(m.pointCount());
            case DELETED -> BatchWriter.deviceDeleted();
            default -> BatchWriter.notStored();
        };
    }

    private Partition partition(int partition) {
        return partitions.computeIfAbsent(partition, n -> new Partition());
    }

    private static final class Partition {
        final ConcurrentNavigableMap<Long, PendingMessage> waiting = new ConcurrentSkipListMap<>();
        volatile long answeredUpTo = -1;
        final Map<Long, String> recent = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
                return size() > RECENT_EXCEPTIONS;
            }
        };
    }
}
