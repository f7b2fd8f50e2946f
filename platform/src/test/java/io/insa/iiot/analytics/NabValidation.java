package io.insa.iiot.analytics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Leave-one-source-out validation of the detector's settings on NAB (docs/analytics.md): every setting of
 * a small grid is scored on every file; for each of the six sources, the setting with the best NAB
 * standard score on the other five (pooled, at the fixed threshold) is chosen and then scored on the
 * source left out. The setting the server uses is the one chosen the same way on all six.
 *
 * <p>{@code java ... NabValidation NAB_DIR [PUBLISHED_RESULTS_DIR]}; the second folder holds NAB's stored
 * outputs ({@code results/<detector>/<source>/<file>.csv}, file names without the detector prefix, and
 * {@code thresholds.json}) so that each fold is printed next to ARTime, HTM and CAD OSE on the same files.
 *
 * <p>The detector's state does not depend on the detection level, quiet period and its early end,
 * warm-up or outside factor, so each part's surprise is computed once per model setting and those are
 * applied afterwards; the chosen settings are then re-run with the detector itself as a check. Each
 * list of the grid can be replaced for an experiment ({@code -Drearms=0,30}, {@code -Dseconds=0,128},
 * ...); {@code -Dfiles} prints where the chosen setting alarms in each file.
 */
public final class NabValidation {

    private static final List<NabScorer.Profile> PROFILES = NabScorer.Profile.ALL;

    /** ART window and vigilance. */
    private static final double[][] SHAPES = {
        {16, 0.85}, {16, 0.9}, {16, 0.95}, {32, 0.85}, {32, 0.9}, {32, 0.95}, {64, 0.85}, {64, 0.9}, {64, 0.95}
    };

    // each list can be replaced for an experiment, e.g. -Dwarmups=150,300
    private static final int[] PARTS = ints("parts", "2,3,4,5,6,7");
    private static final double[] DETECTIONS = doubles("detections", "2.5,3,4");
    private static final int[] QUIETS = ints("quiets", "100,200");
    private static final double[] OUTSIDES = doubles("outsides", "0.01,0.02,0.05,0.1");
    private static final int[] WARMUPS = ints("warmups", "300");
    private static final int[] MEMORIES = ints("memories", "1000");
    private static final double[] SHORT_RATES = doubles("shortRates", "0.3,0.6");
    private static final double[] FLOORS = doubles("floors", "0.005");
    private static final int[] REARMS = ints("rearms", "0,15,30,60");
    /** When a value beyond the range starts to count, if before the warm-up's end. */
    private static final int[] RANGE_WARMUPS = ints("rangeWarmups", "300");
    /** Windows of a second shift score (0: none). */
    private static final int[] SECONDS = ints("seconds", "0");

    private static double[] doubles(String property, String defaults) {
        return java.util.Arrays.stream(System.getProperty(property, defaults).split(","))
                .mapToDouble(Double::parseDouble)
                .toArray();
    }

    private static int[] ints(String property, String defaults) {
        return java.util.Arrays.stream(System.getProperty(property, defaults).split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
    }

    /** A file: its source, windows, per-profile row weights and window index. */
    private record Scored(
            String name, String source, List<NabScorer.Window> windows, double[][] weights, int[] windowOf) {}

    /** The per-source raw score of one setting (index: source, profile) and false alarm count. */
    private record Outcome(AnomalyDetector.Settings settings, double[][] raw, int[] falseAlarms) {}

    private NabValidation() {}

    public static void main(String[] args) throws IOException {
        Path folder = Path.of(args[0]);
        List<NabFiles.DataFile> files = NabFiles.read(folder);
        Map<String, List<NabScorer.Window>> labels =
                NabFiles.labels(folder, files).orElseThrow();
        List<String> sources = new ArrayList<>();
        List<Scored> scored = new ArrayList<>();
        for (NabFiles.DataFile file : files) {
            String source = file.name().substring(0, file.name().indexOf('/'));
            if (!sources.contains(source)) {
                sources.add(source);
            }
            List<NabScorer.Window> windows = labels.get(file.name());
            int rows = file.values().length;
            double[][] weights = new double[PROFILES.size()][];
            for (int p = 0; p < PROFILES.size(); p++) {
                weights[p] = NabScorer.weights(rows, windows, PROFILES.get(p));
            }
            int[] windowOf = new int[rows];
            java.util.Arrays.fill(windowOf, -1);
            for (int w = 0; w < windows.size(); w++) {
                for (int i = windows.get(w).first(); i <= windows.get(w).last(); i++) {
                    windowOf[i] = w;
                }
            }
            scored.add(new Scored(file.name(), source, windows, weights, windowOf));
        }
        int[] windowsOf = new int[sources.size()];
        for (Scored s : scored) {
            windowsOf[sources.indexOf(s.source())] += s.windows().size();
        }

        long started = System.nanoTime();
        List<Outcome> outcomes = new ArrayList<>();
        int refused = 0;
        Map<String, double[][]> seconds = new java.util.HashMap<>();
        for (double[] shape : SHAPES) {
            for (int memory : MEMORIES) {
                for (double shortRate : SHORT_RATES) {
                    for (double floor : FLOORS) {
                        // surprise[part][file][row], outside[file][row]
                        double[][][] surprise = new double[3][files.size()][];
                        double[][] outside = new double[files.size()][];
                        for (int f = 0; f < files.size(); f++) {
                            double[] values = files.get(f).values();
                            for (int part = 0; part < 3; part++) {
                                surprise[part][f] =
                                        surprises(probe(shape, memory, shortRate, floor, 1 << part), values);
                            }
                            outside[f] = outside(values);
                        }
                        for (int second : SECONDS) {
                            if (second > 0
                                    && !seconds.containsKey(second + "/" + shortRate + "/" + memory + "/" + floor)) {
                                double[][] s = new double[files.size()][];
                                for (int f = 0; f < files.size(); f++) {
                                    s[f] = surprises(
                                            probe(new double[] {second, 0.9}, memory, shortRate, floor, 4),
                                            files.get(f).values());
                                }
                                seconds.put(second + "/" + shortRate + "/" + memory + "/" + floor, s);
                            }
                        }
                        for (int parts : PARTS) {
                            for (double detection : DETECTIONS) {
                                for (int quiet : QUIETS) {
                                    for (double out : OUTSIDES) {
                                        for (int warmup : WARMUPS) {
                                            for (int rearm : REARMS) {
                                                for (int rangeWarmup : RANGE_WARMUPS) {
                                                    for (int second : SECONDS) {
                                                        if (second == shape[0] || rangeWarmup > warmup) {
                                                            continue;
                                                        }
                                                        AnomalyDetector.Settings settings = settings(
                                                                shape,
                                                                warmup,
                                                                quiet,
                                                                detection,
                                                                memory,
                                                                shortRate,
                                                                floor,
                                                                out,
                                                                parts,
                                                                second,
                                                                rearm,
                                                                rangeWarmup);
                                                        if (admissible(settings)) {
                                                            outcomes.add(evaluate(
                                                                    settings,
                                                                    sources,
                                                                    scored,
                                                                    surprise,
                                                                    outside,
                                                                    seconds.get(second + "/" + shortRate + "/" + memory
                                                                            + "/" + floor)));
                                                        } else {
                                                            refused++;
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        System.out.printf(
                "%d settings scored on %d files (%d more refused by AnomalyDetectorTest's cases) in %.1f s%n",
                outcomes.size(), files.size(), refused, (System.nanoTime() - started) / 1e9);

        Map<String, Map<String, double[][]>> published = new LinkedHashMap<>();
        if (args.length > 1) {
            for (String detector : List.of("ARTime", "numenta", "contextOSE")) {
                published.put(detector, published(Path.of(args[1]), detector, scored, sources, windowsOf));
            }
        }

        System.out.println();
        System.out.println(
                "leave-one-source-out: setting chosen on the other five sources, scored on the one left out");
        double[][] heldOutRaw = new double[sources.size()][];
        for (int s = 0; s < sources.size(); s++) {
            Outcome best = best(outcomes, s, sources.size(), windowsOf);
            heldOutRaw[s] = best.raw()[s];
            System.out.printf(
                    "fold %-22s W=%2d train %6.2f | held out %s FP %3d | %s%n",
                    sources.get(s),
                    windowsOf[s],
                    pooled(best, s, sources.size(), windowsOf, 0),
                    triple(best.raw()[s], windowsOf[s]),
                    best.falseAlarms()[s],
                    best.settings());
            for (var entry : published.entrySet()) {
                System.out.printf(
                        "     %-22s held out %s%n",
                        entry.getKey(), triple(entry.getValue().get(sources.get(s))[0], windowsOf[s]));
            }
        }
        int total = 0;
        double[] sum = new double[PROFILES.size()];
        for (int s = 0; s < sources.size(); s++) {
            total += windowsOf[s];
            for (int p = 0; p < PROFILES.size(); p++) {
                sum[p] += heldOutRaw[s][p];
            }
        }
        System.out.printf("all held-out folds pooled (W=%d): %s%n", total, triple(sum, total));
        System.out.printf("mean of the folds with windows: %s%n", meanOfFolds(heldOutRaw, windowsOf));
        for (var entry : published.entrySet()) {
            double[] all = new double[PROFILES.size()];
            double[][] perSource = new double[sources.size()][];
            for (int s = 0; s < sources.size(); s++) {
                perSource[s] = entry.getValue().get(sources.get(s))[0];
                for (int p = 0; p < PROFILES.size(); p++) {
                    all[p] += perSource[s][p];
                }
            }
            System.out.printf(
                    "%-10s pooled %s; mean of folds %s%n",
                    entry.getKey(), triple(all, total), meanOfFolds(perSource, windowsOf));
        }

        Outcome chosen = best(outcomes, -1, sources.size(), windowsOf);
        System.out.println();
        System.out.printf(
                "chosen on all six sources: %s, pooled %s%n", chosen.settings(), triple(sumOver(chosen), total));
        System.out.println("top settings on all six (pooled standard):");
        int allWindows = total;
        outcomes.stream()
                .sorted((a, b) -> Double.compare(
                        pooled(b, -1, sources.size(), windowsOf, 0), pooled(a, -1, sources.size(), windowsOf, 0)))
                .limit(15)
                .forEach(o -> System.out.printf("  %s  %s%n", triple(sumOver(o), allWindows), o.settings()));

        // the chosen settings, run with the detector itself and scored with NabScorer
        List<NabScorer.Series> set = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            AnomalyDetector detector = new AnomalyDetector(chosen.settings());
            double[] values = files.get(f).values();
            double[] score = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                score[i] = detector.score(values[i]);
            }
            set.add(new NabScorer.Series(files.get(f).name(), scored.get(f).windows(), score));
        }
        if (System.getProperty("files") != null) {
            for (NabScorer.Series series : set) {
                StringBuilder line = new StringBuilder();
                int probation = NabScorer.probationaryRows(series.scores().length);
                for (NabScorer.Window w : series.windows()) {
                    int first = -1;
                    for (int i = Math.max(w.first(), probation); i <= w.last() && first < 0; i++) {
                        first = series.scores()[i] >= AnomalyDetector.THRESHOLD ? i : -1;
                    }
                    line.append(String.format(" [%d..%d]%s", w.first(), w.last(), first < 0 ? " MISS" : " @" + first));
                }
                line.append(" FP:");
                int[] windowOf = new int[series.scores().length];
                java.util.Arrays.fill(windowOf, -1);
                for (NabScorer.Window w : series.windows()) {
                    java.util.Arrays.fill(windowOf, w.first(), w.last() + 1, 0);
                }
                for (int i = probation; i < series.scores().length; i++) {
                    if (series.scores()[i] >= AnomalyDetector.THRESHOLD && windowOf[i] < 0) {
                        line.append(' ').append(i);
                    }
                }
                System.out.printf("  %-55s n=%5d P=%3d%s%n", series.name(), series.scores().length, probation, line);
            }
        }
        for (NabScorer.Profile profile : PROFILES) {
            System.out.printf(
                    "check with the detector itself: %s %.2f%n",
                    profile.name(),
                    NabScorer.scoreAt(set, profile, AnomalyDetector.THRESHOLD).normalized());
        }
    }

    /**
     * Whether a setting behaves as AnomalyDetectorTest requires of the defaults (a constraint on every
     * candidate, decided before any NAB file is scored): a noisy daily cycle raises no alarm after 1,000
     * values and a spike far outside it scores at least 0.9; a lasting jump is one detection.
     */
    static boolean admissible(AnomalyDetector.Settings settings) {
        AnomalyDetector detector = new AnomalyDetector(settings);
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 4_000; i++) {
            double score = detector.score(cycle(i) + random.nextGaussian() * 0.5);
            if (i > 1_000 && score >= AnomalyDetector.THRESHOLD) {
                return false;
            }
        }
        if (detector.score(cycle(4_000) + 60) < 0.9) {
            return false;
        }
        detector = new AnomalyDetector(settings);
        for (int i = 0; i < 2_000; i++) {
            detector.score(cycle(i));
        }
        int detections = 0;
        for (int i = 0; i < 50; i++) {
            detections += detector.score(cycle(2_000 + i) + 40) >= AnomalyDetector.THRESHOLD ? 1 : 0;
        }
        return detections == 1;
    }

    private static double cycle(int i) {
        return 20 + 10 * Math.sin(2 * Math.PI * i / 288);
    }

    /** A probe's surprise for every value (its score is 1 - 2^-surprise). */
    private static double[] surprises(AnomalyDetector.Settings probe, double[] values) {
        AnomalyDetector detector = new AnomalyDetector(probe);
        double[] s = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            double score = detector.score(values[i]);
            s[i] = score >= 1 ? 60 : -Math.log(1 - score) / Math.log(2);
        }
        return s;
    }

    private static AnomalyDetector.Settings probe(
            double[] shape, int memory, double shortRate, double floor, int parts) {
        // detection 1 and no quiet period: the score is 1 - 2^-surprise, so the surprise can be read back
        return new AnomalyDetector.Settings(
                0, (int) shape[0], 4, shape[1], 32, 0.02, 0, 1, memory, shortRate, floor, 1e12, parts, 0, 0, 0);
    }

    private static AnomalyDetector.Settings settings(
            double[] shape,
            int warmup,
            int quiet,
            double detection,
            int memory,
            double shortRate,
            double floor,
            double outside,
            int parts,
            int second,
            int rearm,
            int rangeWarmup) {
        return new AnomalyDetector.Settings(
                warmup,
                (int) shape[0],
                4,
                shape[1],
                32,
                0.02,
                quiet,
                detection,
                memory,
                shortRate,
                floor,
                outside,
                parts,
                second,
                rearm,
                rangeWarmup);
    }

    /** How far each value lies beyond the range of the values before it, as a fraction of that range. */
    private static double[] outside(double[] values) {
        double[] out = new double[values.length];
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < values.length; i++) {
            if (i > 0 && max > min) {
                out[i] = Math.max(0, Math.max(values[i] - max, min - values[i])) / (max - min);
            }
            min = Math.min(min, values[i]);
            max = Math.max(max, values[i]);
        }
        return out;
    }

    private static Outcome evaluate(
            AnomalyDetector.Settings settings,
            List<String> sources,
            List<Scored> files,
            double[][][] surprise,
            double[][] outside,
            double[][] second) {
        double[][] raw = new double[sources.size()][PROFILES.size()];
        int[] falseAlarms = new int[sources.size()];
        for (int f = 0; f < files.size(); f++) {
            Scored file = files.get(f);
            int source = sources.indexOf(file.source());
            int rows = outside[f].length;
            int probation = NabScorer.probationaryRows(rows);
            double[][] best = new double[PROFILES.size()][file.windows().size()];
            boolean[] hit = new boolean[file.windows().size()];
            long quietUntil = 0;
            int calm = 0;
            for (int i = 0; i < rows; i++) {
                long seen = i + 1;
                double s = settings.detection() * outside[f][i] / settings.outside();
                for (int part = 0; part < 3; part++) {
                    if ((settings.parts() & (1 << part)) != 0) {
                        s = Math.max(s, surprise[part][f][i]);
                    }
                }
                if (settings.second() > 0) {
                    s = Math.max(s, second[f][i]);
                }
                if (seen <= settings.warmup()) {
                    if (seen <= settings.rangeWarmup()) {
                        continue;
                    }
                    s = settings.detection() * outside[f][i] / settings.outside();
                }
                if (seen < quietUntil) {
                    calm = s < settings.detection() / 2 ? calm + 1 : 0;
                    if (settings.rearm() > 0 && calm >= settings.rearm()) {
                        quietUntil = seen;
                    }
                    if (s * 0.01 < settings.detection()) {
                        continue;
                    }
                } else if (s < settings.detection()) {
                    continue;
                } else {
                    quietUntil = seen + settings.quiet();
                    calm = 0;
                }
                if (i < probation) {
                    continue;
                }
                int w = file.windowOf()[i];
                for (int p = 0; p < PROFILES.size(); p++) {
                    double weight = file.weights()[p][i];
                    if (w < 0) {
                        raw[source][p] += weight;
                    } else if (!hit[w] || weight > best[p][w]) {
                        best[p][w] = weight;
                    }
                }
                if (w < 0) {
                    falseAlarms[source]++;
                } else {
                    hit[w] = true;
                }
            }
            for (int w = 0; w < hit.length; w++) {
                for (int p = 0; p < PROFILES.size(); p++) {
                    raw[source][p] += hit[w] ? best[p][w] : -PROFILES.get(p).falseNegative();
                }
            }
        }
        return new Outcome(settings, raw, falseAlarms);
    }

    /** The pooled normalised score of a profile over every source but {@code left} (-1: all). */
    private static double pooled(Outcome o, int left, int sources, int[] windowsOf, int profile) {
        double raw = 0;
        int windows = 0;
        for (int s = 0; s < sources; s++) {
            if (s != left) {
                raw += o.raw()[s][profile];
                windows += windowsOf[s];
            }
        }
        return NabScorer.normalize(raw, windows, PROFILES.get(profile));
    }

    private static Outcome best(List<Outcome> outcomes, int left, int sources, int[] windowsOf) {
        Outcome best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Outcome o : outcomes) {
            double score = pooled(o, left, sources, windowsOf, 0);
            if (score > bestScore) {
                bestScore = score;
                best = o;
            }
        }
        return best;
    }

    private static double[] sumOver(Outcome o) {
        double[] sum = new double[PROFILES.size()];
        for (double[] perSource : o.raw()) {
            for (int p = 0; p < sum.length; p++) {
                sum[p] += perSource[p];
            }
        }
        return sum;
    }

    private static String triple(double[] raw, int windows) {
        if (windows == 0) {
            return String.format("raw %6.2f / %6.2f / %6.2f      ", raw[0], raw[1], raw[2]);
        }
        return String.format(
                "%6.2f / %6.2f / %6.2f",
                NabScorer.normalize(raw[0], windows, PROFILES.get(0)),
                NabScorer.normalize(raw[1], windows, PROFILES.get(1)),
                NabScorer.normalize(raw[2], windows, PROFILES.get(2)));
    }

    private static String meanOfFolds(double[][] raw, int[] windowsOf) {
        double[] mean = new double[PROFILES.size()];
        int folds = 0;
        for (int s = 0; s < raw.length; s++) {
            if (windowsOf[s] == 0) {
                continue;
            }
            folds++;
            for (int p = 0; p < mean.length; p++) {
                mean[p] += NabScorer.normalize(raw[s][p], windowsOf[s], PROFILES.get(p));
            }
        }
        return String.format("%6.2f / %6.2f / %6.2f", mean[0] / folds, mean[1] / folds, mean[2] / folds);
    }

    /** A published detector's stored outputs, scored per source at its stored threshold of each profile. */
    private static Map<String, double[][]> published(
            Path results, String detector, List<Scored> files, List<String> sources, int[] windowsOf)
            throws IOException {
        String thresholds = Files.readString(results.resolve("thresholds.json"));
        double[] threshold = new double[PROFILES.size()];
        String[] keys = {"standard", "reward_low_FP_rate", "reward_low_FN_rate"};
        int block = thresholds.indexOf("\"" + detector + "\"");
        for (int p = 0; p < keys.length; p++) {
            int at = thresholds.indexOf("\"" + keys[p] + "\"", block);
            int t = thresholds.indexOf("\"threshold\"", at);
            int colon = thresholds.indexOf(':', t);
            int end = colon + 1;
            while (end < thresholds.length() && "0123456789.eE-+ ".indexOf(thresholds.charAt(end)) >= 0) {
                end++;
            }
            threshold[p] =
                    Double.parseDouble(thresholds.substring(colon + 1, end).strip());
        }
        Map<String, double[][]> bySource = new LinkedHashMap<>();
        for (String source : sources) {
            bySource.put(source, new double[][] {new double[PROFILES.size()]});
        }
        for (Scored file : files) {
            List<String> lines = Files.readAllLines(results.resolve(detector).resolve(file.name()));
            double[] scores = new double[lines.size() - 1];
            for (int i = 1; i < lines.size(); i++) {
                scores[i - 1] = Double.parseDouble(lines.get(i).split(",")[2]);
            }
            NabScorer.Series series = new NabScorer.Series(file.name(), file.windows(), scores);
            for (int p = 0; p < PROFILES.size(); p++) {
                bySource.get(file.source())[0][p] += NabScorer.raw(series, PROFILES.get(p), threshold[p]);
            }
        }
        return bySource;
    }
}
