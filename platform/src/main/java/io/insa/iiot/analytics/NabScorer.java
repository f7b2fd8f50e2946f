package io.insa.iiot.analytics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The Numenta Anomaly Benchmark's scoring (NAB v1.1): per-row weights from the label windows (scaled
 * sigmoid, early detection pays), a probationary period that is not scored, the first alarm of each
 * window rewarded, every alarm outside a window penalised, one threshold per profile chosen over the
 * whole set, and normalisation between the null and the perfect detector.
 */
public final class NabScorer {

    /** The weights of a scoring profile. */
    public record Profile(String name, double truePositive, double falseNegative, double falsePositive) {
        public static final Profile STANDARD = new Profile("standard", 1.0, 1.0, 0.11);
        public static final Profile LOW_FP = new Profile("reward_low_fp", 1.0, 1.0, 0.22);
        public static final Profile LOW_FN = new Profile("reward_low_fn", 1.0, 2.0, 0.11);
        public static final List<Profile> ALL = List.of(STANDARD, LOW_FP, LOW_FN);
    }

    /** Rows {@code first..last} (0-based, inclusive) of a file. */
    public record Window(int first, int last) {
        int width() {
            return last - first + 1;
        }
    }

    /** One scored file: its label windows and the detector's score of each row. */
    public record Series(String name, List<Window> windows, double[] scores) {}

    /** The outcome for one profile: the threshold chosen, the raw score and the normalised one. */
    public record Result(Profile profile, double threshold, double raw, double normalized) {}

    private static final double F_AT_MINUS_ONE = sigmoid(-1);

    private NabScorer() {}

    /** Rows of a file of {@code rows} rows that are not scored: min(floor(0.15 n), 750). */
    public static int probationaryRows(int rows) {
        return Math.min((int) Math.floor(0.15 * rows), 750);
    }

    /** The scaled sigmoid of NAB: 2 / (1 + e^(5x)) - 1. */
    static double sigmoid(double x) {
        return 2 / (1 + Math.exp(5 * x)) - 1;
    }

    /** The weight of an alarm on each row of a file (the value a window's first alarm is worth inside it). */
    static double[] weights(int rows, List<Window> windows, Profile profile) {
        double[] weight = new double[rows];
        Window previous = null;
        int next = 0;
        for (int i = 0; i < rows; i++) {
            while (next < windows.size() && windows.get(next).last() < i) {
                previous = windows.get(next++);
            }
            Window inside = next < windows.size() && windows.get(next).first() <= i ? windows.get(next) : null;
            if (inside != null) {
                double x = -(inside.last() - i + 1) / (double) inside.width();
                weight[i] = profile.truePositive() * sigmoid(x) / F_AT_MINUS_ONE;
            } else if (previous != null && previous.width() > 1) {
                double x = (i - previous.last()) / (double) (previous.width() - 1);
                weight[i] = x <= 3 ? profile.falsePositive() * sigmoid(x) : -profile.falsePositive();
            } else {
                weight[i] = -profile.falsePositive();
            }
        }
        return weight;
    }

    /** The raw score of one file at a threshold (alarm: score >= threshold). */
    public static double raw(Series series, Profile profile, double threshold) {
        int rows = series.scores().length;
        double[] weight = weights(rows, series.windows(), profile);
        int[] windowOf = windowIndex(rows, series.windows());
        double[] best = new double[series.windows().size()];
        Arrays.fill(best, Double.NaN);
        double total = 0;
        for (int i = probationaryRows(rows); i < rows; i++) {
            if (series.scores()[i] < threshold) {
                continue;
            }
            int w = windowOf[i];
            if (w < 0) {
                total += weight[i];
            } else if (Double.isNaN(best[w]) || weight[i] > best[w]) {
                best[w] = weight[i];
            }
        }
        for (double b : best) {
            total += Double.isNaN(b) ? -profile.falseNegative() : b;
        }
        return total;
    }

    /**
     * The windows of a file with an alarm after the probationary period, and the alarms outside every
     * window there (the false alarms), at a threshold: {detected, false alarms}.
     */
    public static int[] detections(Series series, double threshold) {
        int rows = series.scores().length;
        int[] windowOf = windowIndex(rows, series.windows());
        boolean[] hit = new boolean[series.windows().size()];
        int falseAlarms = 0;
        for (int i = probationaryRows(rows); i < rows; i++) {
            if (series.scores()[i] < threshold) {
                continue;
            }
            if (windowOf[i] < 0) {
                falseAlarms++;
            } else {
                hit[windowOf[i]] = true;
            }
        }
        int detected = 0;
        for (boolean h : hit) {
            detected += h ? 1 : 0;
        }
        return new int[] {detected, falseAlarms};
    }

    /** The set's score for one profile with the threshold that maximises it (every distinct score tried). */
    public static Result score(List<Series> set, Profile profile) {
        List<double[]> candidates = new ArrayList<>(); // {score, weight, global window or -1}
        int windows = 0;
        for (Series series : set) {
            int rows = series.scores().length;
            double[] weight = weights(rows, series.windows(), profile);
            int[] windowOf = windowIndex(rows, series.windows());
            for (int i = probationaryRows(rows); i < rows; i++) {
                candidates.add(
                        new double[] {series.scores()[i], weight[i], windowOf[i] < 0 ? -1 : windows + windowOf[i]});
            }
            windows += series.windows().size();
        }
        candidates.sort(Comparator.comparingDouble((double[] c) -> c[0]).reversed());
        double[] best = new double[windows];
        Arrays.fill(best, Double.NaN);
        double total = -profile.falseNegative() * windows; // no alarm at all
        double bestTotal = total;
        double bestThreshold = Double.POSITIVE_INFINITY;
        int i = 0;
        while (i < candidates.size()) {
            double threshold = candidates.get(i)[0];
            for (; i < candidates.size() && candidates.get(i)[0] == threshold; i++) {
                double[] c = candidates.get(i);
                int w = (int) c[2];
                if (w < 0) {
                    total += c[1];
                } else if (Double.isNaN(best[w])) {
                    total += profile.falseNegative() + c[1];
                    best[w] = c[1];
                } else if (c[1] > best[w]) {
                    total += c[1] - best[w];
                    best[w] = c[1];
                }
            }
            if (total > bestTotal) {
                bestTotal = total;
                bestThreshold = threshold;
            }
        }
        return new Result(profile, bestThreshold, bestTotal, normalize(bestTotal, windows, profile));
    }

    /** The set's score for one profile at a fixed threshold. */
    public static Result scoreAt(List<Series> set, Profile profile, double threshold) {
        double total = 0;
        int windows = 0;
        for (Series series : set) {
            total += raw(series, profile, threshold);
            windows += series.windows().size();
        }
        return new Result(profile, threshold, total, normalize(total, windows, profile));
    }

    /** 100 * (S - S_null) / (S_perfect - S_null); 0 for a set without windows. */
    static double normalize(double raw, int windows, Profile profile) {
        double perfect = profile.truePositive() * windows;
        double none = -profile.falseNegative() * windows;
        return perfect == none ? 0 : 100 * (raw - none) / (perfect - none);
    }

    private static int[] windowIndex(int rows, List<Window> windows) {
        int[] index = new int[rows];
        Arrays.fill(index, -1);
        for (int w = 0; w < windows.size(); w++) {
            for (int i = Math.max(0, windows.get(w).first());
                    i <= Math.min(rows - 1, windows.get(w).last());
                    i++) {
                index[i] = w;
            }
        }
        return index;
    }
}
