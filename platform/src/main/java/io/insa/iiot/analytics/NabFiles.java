package io.insa.iiot.analytics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** NAB's file layout: {@code timestamp,value} CSV files under a folder, {@code labels.json} beside them. */
public final class NabFiles {

    /** One CSV file: its path relative to the folder, its timestamps and values (also as written). */
    public record DataFile(String name, List<String> timestamps, List<String> valueTexts, double[] values) {}

    private NabFiles() {}

    /** Every {@code *.csv} under the folder, recursively, in path order. */
    public static List<DataFile> read(Path folder) throws IOException {
        List<Path> csvs;
        try (Stream<Path> files = Files.walk(folder)) {
            csvs = files.filter(p -> p.toString().endsWith(".csv") && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        }
        List<DataFile> data = new ArrayList<>();
        for (Path csv : csvs) {
            data.add(readCsv(folder.relativize(csv).toString().replace('\\', '/'), csv));
        }
        return data;
    }

    static DataFile readCsv(String name, Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> timestamps = new ArrayList<>(lines.size());
        List<String> texts = new ArrayList<>(lines.size());
        double[] values = new double[Math.max(0, lines.size() - 1)];
        int n = 0;
        for (int i = 1; i < lines.size(); i++) { // line 0 is the header
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            int comma = line.indexOf(',');
            timestamps.add(line.substring(0, comma));
            String value = line.substring(comma + 1).strip();
            texts.add(value);
            values[n++] = Double.parseDouble(value);
        }
        return new DataFile(name, timestamps, texts, java.util.Arrays.copyOf(values, n));
    }

    /** The label windows of {@code labels.json} in the folder, as row ranges of each file; empty without one. */
    public static Optional<Map<String, List<NabScorer.Window>>> labels(Path folder, List<DataFile> files) {
        Path json = folder.resolve("labels.json");
        if (!Files.isRegularFile(json)) {
            return Optional.empty();
        }
        Map<String, List<List<String>>> windows;
        try {
            windows = JsonMapper.builder().build().readValue(json.toFile(), new TypeReference<>() {});
        } catch (tools.jackson.core.JacksonException e) {
            throw new UncheckedIOException(new IOException("cannot read " + json + ": " + e.getMessage()));
        }
        Map<String, List<NabScorer.Window>> rows = new java.util.LinkedHashMap<>();
        for (DataFile file : files) {
            List<NabScorer.Window> ranges = new ArrayList<>();
            for (List<String> window : windows.getOrDefault(file.name(), List.of())) {
                ranges.add(new NabScorer.Window(
                        file.timestamps().indexOf(stripMicros(window.get(0))),
                        file.timestamps().lastIndexOf(stripMicros(window.get(1)))));
            }
            rows.put(file.name(), ranges);
        }
        return Optional.of(rows);
    }

    private static String stripMicros(String timestamp) {
        int dot = timestamp.indexOf('.');
        return dot < 0 ? timestamp : timestamp.substring(0, dot);
    }
}
