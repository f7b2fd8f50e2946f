package io.insa.iiot.telemetry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One tenant's points of a batch in column form, ready for {@code unnest}. A point repeated (same
 * device, key and time) keeps its last value, as a row can be written once per statement.
 */
final class TelemetryRows {

    private record RowKey(UUID device, int key, long tsMicros) {}

    private record SeriesKey(UUID device, int key) {}

    /** @param ts microseconds since the epoch, the database's resolution */
    private record Row(UUID device, int key, long ts, TelemetryValue value) {}

    private final Map<RowKey, Row> rows = new LinkedHashMap<>();
    private final Map<SeriesKey, Row> latest = new HashMap<>();

    void add(UUID device, int keyId, Instant ts, TelemetryValue value) {
        Row row = new Row(device, keyId, ts.getEpochSecond() * 1_000_000 + ts.getNano() / 1000, value);
        rows.put(new RowKey(device, keyId, row.ts()), row);
        latest.merge(new SeriesKey(device, keyId), row, (current, next) -> next.ts() < current.ts() ? current : next);
    }

    int size() {
        return rows.size();
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /**
     * Rows in (device, key, time) order: concurrent batches then lock the rows they share in the same
     * order, so two writers upserting the same series cannot deadlock.
     */
    private static final Comparator<Row> LOCK_ORDER =
            Comparator.comparing(Row::device).thenComparingInt(Row::key).thenComparingLong(Row::ts);

    Columns all() {
        List<Row> sorted = new ArrayList<>(rows.values());
        sorted.sort(LOCK_ORDER);
        return new Columns(sorted);
    }

    Columns latest() {
        List<Row> sorted = new ArrayList<>(latest.values());
        sorted.sort(LOCK_ORDER);
        return new Columns(sorted);
    }

    /** The rows as parallel arrays, one per column. */
    static final class Columns {
        final UUID[] devices;
        final Integer[] keys;
        /** microseconds since the epoch: the JDBC driver binds no arrays of date-time objects */
        final long[] ts;

        final Long[] longs;
        final Double[] doubles;
        final Boolean[] booleans;
        final String[] strings;
        final String[] jsons;

        private Columns(List<Row> rows) {
            int n = rows.size();
            devices = new UUID[n];
            keys = new Integer[n];
            ts = new long[n];
            Long[] longs = new Long[n];
            Double[] doubles = new Double[n];
            Boolean[] booleans = new Boolean[n];
            String[] strings = new String[n];
            String[] jsons = new String[n];
            for (int i = 0; i < n; i++) {
                Row r = rows.get(i);
                devices[i] = r.device();
                keys[i] = r.key();
                ts[i] = r.ts();
                switch (r.value()) {
                    case TelemetryValue.LongValue v -> longs[i] = v.value();
                    case TelemetryValue.DoubleValue v -> doubles[i] = v.value();
                    case TelemetryValue.BooleanValue v -> booleans[i] = v.value();
                    case TelemetryValue.StringValue v -> strings[i] = v.value();
                    case TelemetryValue.JsonValue v -> jsons[i] = v.json();
                }
            }
            // a column no row uses goes as an empty array: unnest pads it with NULLs, and the driver
            // does not encode a NULL per row (the arrays travel as text)
            this.longs = emptyIfAllNull(longs);
            this.doubles = emptyIfAllNull(doubles);
            this.booleans = emptyIfAllNull(booleans);
            this.strings = emptyIfAllNull(strings);
            this.jsons = emptyIfAllNull(jsons);
        }

        private static <T> T[] emptyIfAllNull(T[] column) {
            for (T value : column) {
                if (value != null) {
                    return column;
                }
            }
            return java.util.Arrays.copyOf(column, 0);
        }
    }
}
