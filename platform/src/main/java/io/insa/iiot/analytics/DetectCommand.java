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
 * score from which a value is anomalous; prints the NAB scores when IN_DIR/labels.json exists.
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
