package io.insa.iiot.telemetry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One tenant's points of a batch in column form, ready for {@code unnest}. A point repeated (same
 * device, key and time) keeps its last value, as a row can be written once per statement.
 *
 * <p>The columns are built so that the driver sends them in binary: primitive and boxed number
 * arrays are, but an array of UUIDs travels as text that both sides spell out and parse. So each
 * device's id is sent once, in {@link Columns#devices}, and rows refer to it by its position there.
 * The statement must turn that text into its array once (a materialized CTE): as an expression
 * beside the rows, PostgreSQL parses it again for every row.
 */
final class TelemetryRows {

    /** @param ts microseconds since the epoch, the database's resolution */
    private record Row(int key, long ts, TelemetryValue value) {}

    private record SeriesKey(int key, long ts) {}

    /** Each device's rows by (key, time); devices in id order. */
    private final Map<UUID, Map<SeriesKey, Row>> byDevice = new TreeMap<>();

    private int size;

    void add(UUID device, int keyId, Instant ts, TelemetryValue value) {
        Row row = new Row(keyId, ts.getEpochSecond() * 1_000_000 + ts.getNano() / 1000, value);
        if (byDevice.computeIfAbsent(device, d -> new HashMap<>()).put(new SeriesKey(keyId, row.ts()), row) == null) {
            size++;
        }
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /**
     * Rows in (device, key, time) order: concurrent batches then lock the rows they share in the same
     * order, so two writers upserting the same series cannot deadlock.
     */
    Columns all() {
        return new Columns(byDevice, false);
    }

    /** The newest row of each device and key, in the same order. */
    Columns latest() {
        return new Columns(byDevice, true);
    }

    /** The rows as parallel arrays, one per column; {@link #device} indexes {@link #devices} (1-based, as SQL). */
    static final class Columns {
        final UUID[] devices;
        final int[] device;
        final int[] keys;
        /** microseconds since the epoch: the JDBC driver binds no arrays of date-time objects */
        final long[] ts;

        final Long[] longs;
        final Double[] doubles;
        final Boolean[] booleans;
        final String[] strings;
        final String[] jsons;

        private Columns(Map<UUID, Map<SeriesKey, Row>> byDevice, boolean newestOnly) {
            List<Row> rows = new ArrayList<>();
            List<Integer> owners = new ArrayList<>();
            devices = byDevice.keySet().toArray(UUID[]::new);
            int index = 0;
            for (Map<SeriesKey, Row> ofDevice : byDevice.values()) {
                index++;
                Row[] sorted = ofDevice.values().toArray(Row[]::new);
                Arrays.sort(
                        sorted,
                        (a, b) ->
                                a.key() != b.key() ? Integer.compare(a.key(), b.key()) : Long.compare(a.ts(), b.ts()));
                for (int i = 0; i < sorted.length; i++) {
                    if (newestOnly && i + 1 < sorted.length && sorted[i + 1].key() == sorted[i].key()) {
                        continue; // a newer row of the same key follows
                    }
                    rows.add(sorted[i]);
                    owners.add(index);
                }
            }
            int n = rows.size();
            device = new int[n];
            keys = new int[n];
            ts = new long[n];
            Long[] longs = new Long[n];
            Double[] doubles = new Double[n];
            Boolean[] booleans = new Boolean[n];
            String[] strings = new String[n];
            String[] jsons = new String[n];
            boolean[] used = new boolean[5];
            for (int i = 0; i < n; i++) {
                Row r = rows.get(i);
                device[i] = owners.get(i);
                keys[i] = r.key();
                ts[i] = r.ts();
                switch (r.value()) {
                    case TelemetryValue.LongValue v -> {
                        longs[i] = v.value();
                        used[0] = true;
                    }
                    case TelemetryValue.DoubleValue v -> {
                        doubles[i] = v.value();
                        used[1] = true;
                    }
                    case TelemetryValue.BooleanValue v -> {
                        booleans[i] = v.value();
                        used[2] = true;
                    }
                    case TelemetryValue.StringValue v -> {
                        strings[i] = v.value();
                        used[3] = true;
                    }
                    case TelemetryValue.JsonValue v -> {
                        jsons[i] = v.json();
                        used[4] = true;
                    }
                }
            }
            // a column no row uses goes as an empty array: unnest pads it with NULLs
            this.longs = used[0] ? longs : new Long[0];
            this.doubles = used[1] ? doubles : new Double[0];
            this.booleans = used[2] ? booleans : new Boolean[0];
            this.strings = used[3] ? strings : new String[0];
            this.jsons = used[4] ? jsons : new String[0];
        }

        /** The statement's parameters in its order: ids, tenant, then the per-row columns. */
        Object[] parameters(UUID tenant) {
            return new Object[] {devices, tenant, device, keys, ts, longs, doubles, booleans, strings, jsons};
        }
    }
}
