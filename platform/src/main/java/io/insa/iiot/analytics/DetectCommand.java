package io.insa.iiot.analytics;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ./iiot detect IN_DIR OUT_DIR}: the server's detector, with the server's settings, over every
 * {@code timestamp,value} CSV under IN_DIR. Writes OUT_DIR/&lt;same path&gt; with an
 * {@code anomaly_score} column (one row per input row, same order) and OUT_DIR/threshold.txt, the
 * score from which a value is anomalous; prints the NAB scores, in all and per source (the first folder
 * of the files' paths), when IN_DIR/labels.json exists.
 */
public final class DetectCommand {

    private DetectCommand() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ./iiot detect IN_DIR OUT_DIR");
            System.exit(2);
        }
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        List<NabFiles.DataFile> files = NabFiles.read(in);
        Files.createDirectories(out);
        System.out.printf("detector: %s%n", AnomalyDetector.DEFAULTS);
        List<double[]> scores = new ArrayList<>();
        long points = 0;
        long nanos = 0;
        for (NabFiles.DataFile file : files) {
            AnomalyDetector detector = new AnomalyDetector();
            double[] score = new double[file.values().length];
            long started = System.nanoTime();
            for (int i = 0; i < score.length; i++) {
                score[i] = detector.score(file.values()[i]);
            }
            nanos += System.nanoTime() - started;
            points += score.length;
            scores.add(score);
            write(out.resolve(file.name()), file, score);
        }
        Files.writeString(out.resolve("threshold.txt"), AnomalyDetector.THRESHOLD + "\n");
        System.out.printf(
                "scored %d files, %d values in %.1f ms (%.2f µs a value); threshold %s written to %s%n",
                files.size(),
                points,
                nanos / 1e6,
                points == 0 ? 0 : nanos / 1e3 / points,
                AnomalyDetector.THRESHOLD,
                out.resolve("threshold.txt"));
        Optional<Map<String, List<NabScorer.Window>>> labels = NabFiles.labels(in, files);
        if (labels.isEmpty()) {
            return;
        }
        List<NabScorer.Series> set = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            set.add(new NabScorer.Series(
                    files.get(f).name(), labels.get().getOrDefault(files.get(f).name(), List.of()), scores.get(f)));
        }
        System.out.println("NAB scores (labels.json beside the input):");
        for (NabScorer.Profile profile : NabScorer.Profile.ALL) {
            NabScorer.Result fixed = NabScorer.scoreAt(set, profile, AnomalyDetector.THRESHOLD);
            NabScorer.Result best = NabScorer.score(set, profile);
            System.out.printf(
                    "  %-14s %6.2f at the fixed threshold %s (raw %.3f); %6.2f at this set's best threshold %.4f%n",
                    profile.name(),
                    fixed.normalized(),
                    AnomalyDetector.THRESHOLD,
                    fixed.raw(),
                    best.normalized(),
                    best.threshold());
        }
        System.out.println(sourceTable(set, AnomalyDetector.THRESHOLD));
    }

    /**
     * Per source (the first folder of a file's path), at the threshold: files, windows, windows detected,
     * false alarms and the three NAB scores (a source without windows has none: its false alarms say it).
     */
    static String sourceTable(List<NabScorer.Series> set, double threshold) {
        Map<String, List<NabScorer.Series>> bySource = new java.util.TreeMap<>();
        for (NabScorer.Series series : set) {
            int slash = series.name().indexOf('/');
            bySource.computeIfAbsent(slash < 0 ? "." : series.name().substring(0, slash), s -> new ArrayList<>())
                    .add(series);
        }
        bySource.put("all", set);
        StringBuilder table = new StringBuilder(String.format(
                "%-24s %5s %7s %8s %12s %8s %8s %8s%n",
                "source", "files", "windows", "detected", "false alarms", "standard", "low FP", "low FN"));
        for (var entry : bySource.entrySet()) {
            int windows = 0;
            int detected = 0;
            int falseAlarms = 0;
            for (NabScorer.Series series : entry.getValue()) {
                int[] counts = NabScorer.detections(series, threshold);
                windows += series.windows().size();
                detected += counts[0];
                falseAlarms += counts[1];
            }
            table.append(String.format(
                    "%-24s %5d %7d %8d %12d", entry.getKey(), entry.getValue().size(), windows, detected, falseAlarms));
            for (NabScorer.Profile profile : NabScorer.Profile.ALL) {
                table.append(
                        windows == 0
                                ? String.format(" %8s", "-")
                                : String.format(
                                        " %8.2f",
                                        NabScorer.scoreAt(entry.getValue(), profile, threshold)
                                                .normalized()));
            }
            table.append('\n');
        }
        return table.toString();
    }

    private static void write(Path target, NabFiles.DataFile file, double[] score) throws IOException {
        Files.createDirectories(target.getParent());
        try (BufferedWriter writer = Files.newBufferedWriter(target)) {
            writer.write("timestamp,value,anomaly_score\n");
            for (int i = 0; i < score.length; i++) {
                writer.write(file.timestamps().get(i) + "," + file.valueTexts().get(i) + "," + score[i] + "\n");
            }
        }
    }
}
