package io.insa.iiot.analytics;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A streaming anomaly detector for one series (one device and key): each value is scored in [0, 1]
 * from it and the values before it only, in constant memory.
 *
 * <p>Design (docs/analytics.md): up to three raw scores, each in units of the range seen so far, answer
 * different questions. <em>Shape</em>: does the recent window, reduced to a few segment means, resonate
 * with one of a bounded set of learned shapes (categories, in the manner of adaptive resonance)?
 * <em>Context</em>: how often has this value's part of the range followed the previous value's?
 * <em>Shift</em>: how far has the recent level moved from the long-term one? None of them is compared
 * with a fixed level: each goes through a likelihood step, as HTM's anomaly likelihood does, that
 * compares its short-term mean with its own long-term mean and spread, so that a series whose raw
 * scores are always high (noisy, spiky) is not alarming for that, and one whose raw scores are always
 * low is alarming when they rise. A value beyond the range seen so far is anomalous on its own. A
 * detection is followed by a quiet period, since one anomaly is one event; it ends early once the series
 * has been calm for a while, so that a second anomaly soon after the first is not lost. The defaults use
 * the shift score and the range only: leave-one-source-out validation chose them over the shape and
 * context scores, which stay as settings.
 */
public final class AnomalyDetector {

    /**
     * The detector's settings; {@link #DEFAULTS} are the server's and {@code ./iiot detect}'s, chosen by
     * leave-one-source-out validation on NAB (docs/analytics.md).
     *
     * @param warmup values learned from before any score is given
     * @param window values in the window compared with the learned shapes, and averaged as the recent
     *     level of the shift score
     * @param segments segment means the window is reduced to
     * @param vigilance similarity (1 - mean absolute difference of normalised segments) a window needs to
     *     resonate with a shape
     * @param categories most shapes kept (the least used is replaced when full)
     * @param learningRate how far a resonating shape moves towards the window
     * @param quiet values after a detection whose scores are damped
     * @param detection the surprise (in standard deviations of a raw score above its long-term mean) from
     *     which a value counts as a detection and starts the quiet period; it is scored {@link #THRESHOLD}
     * @param memory values over which the long-term mean and spread of each raw score (and the long-term
     *     level) are averaged
     * @param shortRate weight of the newest raw score in its short-term mean
     * @param floor the least spread of a raw score (a fraction of the range), so that a series that never
     *     varied is not alarmed by its first small change
     * @param outside how far beyond the range seen so far (a fraction of it) a value is a detection on its
     *     own
     * @param parts which raw scores are used: 1 shape, 2 context, 4 shift (a sum)
     * @param second the window of a second shift score, at another resolution (0: none): a short window
     *     sees an abrupt shift sooner, a long one a slow drift
     * @param rearm a quiet period ends early once this many values in a row were unsurprising (below half
     *     the detection level): the series is back to normal, so the next anomaly is a new one (0: never)
     * @param rangeWarmup values after which a value beyond the range is a detection, though the warm-up of
     *     the other scores lasts longer (at least {@code warmup}: none before the warm-up's end)
     */
    public record Settings(
            int warmup,
            int window,
            int segments,
            double vigilance,
            int categories,
            double learningRate,
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

        public Settings {
            if (window % segments != 0
                    || window < 2
                    || categories < 1
                    || memory < 1
                    || parts < 0
                    || parts > 7
                    || rearm < 0
                    || second < 0) {
                throw new IllegalArgumentException("inconsistent anomaly detector settings");
            }
        }
    }

    public static final Settings DEFAULTS =
            new Settings(300, 64, 4, 0.85, 32, 0.02, 200, 2.5, 1000, 0.3, 0.005, 0.05, 4, 0, 60, 300);

    /** The score from which a value is anomalous: a surprise of {@code detection} maps to it. */
    public static final double THRESHOLD = 0.5;

    private static final byte CHECKPOINT_VERSION = 3;
    private static final int PARTS = 4;
    /** Bins the range is divided into for the context score. */
    private static final int BINS = 8;

    private final Settings settings;
    private final double[] recent;
    private final double[][] shapes;
    private final long[] uses;
    private final double[] feature;
    private int shapeCount;
    private long seen;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private long quietUntil;
    /** Unsurprising values in a row within the current quiet period. */
    private int calm;

    private double longLevel;
    /** Transitions seen between bins of the range (the previous value's bin, this one's), in a byte each. */
    private final byte[] transitions = new byte[BINS * BINS];

    private int previousBin;
    /** Per raw score: short-term mean, long-term mean, long-term variance. */
    private final double[] shortMean = new double[PARTS];

    private final double[] longMean = new double[PARTS];
    private final double[] longVariance = new double[PARTS];

    public AnomalyDetector(Settings settings) {
        this.settings = settings;
        this.recent = new double[Math.max(settings.window(), settings.second())];
        int categories = (settings.parts() & 1) != 0 ? settings.categories() : 0; // no shapes without the shape score
        this.shapes = new double[categories][settings.segments()];
        this.uses = new long[categories];
        this.feature = new double[settings.segments()];
    }

    public AnomalyDetector() {
        this(DEFAULTS);
    }

    /** Scores the next value of the series. */
    public double score(double value) {
        recent[(int) (seen % recent.length)] = value;
        seen++;
        double outside = 0;
        if (seen > 1 && max > min) {
            outside = Math.max(0, Math.max(value - max, min - value)) / (max - min);
        }
        min = Math.min(min, value);
        max = Math.max(max, value);
        double longRate = Math.max(1.0 / seen, 1.0 / settings.memory());
        if (seen == 1) {
            longLevel = value;
        }
        if (seen < firstScored(settings) || max <= min) {
            longLevel += longRate * (value - longLevel);
            return 0;
        }
        double span = max - min;
        double surprise = 0;
        boolean full = seen >= settings.window();
        if ((settings.parts() & 1) != 0 && full) {
            features();
            double novelty = learn();
            surprise = Math.max(surprise, likelihood(0, novelty, longRate));
        }
        int bin = (int) Math.min(BINS - 1, (value - min) / span * BINS);
        if ((settings.parts() & 2) != 0 && full) {
            surprise = Math.max(surprise, likelihood(1, context(bin), longRate));
        }
        previousBin = bin;
        if ((settings.parts() & 4) != 0 && full) {
            double shift = Math.abs(mean(settings.window()) - longLevel) / span;
            surprise = Math.max(surprise, likelihood(2, shift, longRate));
        }
        if (settings.second() > 0 && seen >= settings.second()) {
            double shift = Math.abs(mean(settings.second()) - longLevel) / span;
            surprise = Math.max(surprise, likelihood(3, shift, longRate));
        }
        longLevel += longRate * (value - longLevel);
        double beyond = settings.detection() * outside / settings.outside();
        surprise = Math.max(surprise, beyond);
        if (seen <= settings.warmup()) {
            if (seen <= settings.rangeWarmup()) {
                return 0;
            }
            surprise = beyond; // the range is known sooner than the other scores' spread
        }
        if (seen < quietUntil) {
            calm = surprise < settings.detection() / 2 ? calm + 1 : 0;
            if (settings.rearm() > 0 && calm >= settings.rearm()) {
                quietUntil = seen;
            }
            surprise *= 0.01;
        } else if (surprise >= settings.detection()) {
            quietUntil = seen + settings.quiet();
            calm = 0;
        }
        return 1 - Math.pow(2, -surprise / settings.detection()); // detection -> THRESHOLD, monotone, below 1
    }

    /**
     * How unusual a raw score's short-term mean is against its long-term mean and spread (in standard
     * deviations, 0 when below the mean); then the raw score is learned.
     */
    private double likelihood(int part, double raw, double longRate) {
        shortMean[part] += settings.shortRate() * (raw - shortMean[part]);
        double spread = Math.max(Math.sqrt(longVariance[part]), settings.floor());
        double surprise = Math.max(0, (shortMean[part] - longMean[part]) / spread);
        double before = longMean[part];
        longMean[part] += longRate * (raw - before);
        longVariance[part] += longRate * ((raw - before) * (raw - longMean[part]) - longVariance[part]);
        return surprise;
    }

    /**
     * How unexpected this value's bin is after the previous value's bin (1 - its share of the transitions
     * seen from there, a neighbouring bin counting half); then the transition is counted, all counts from
     * that bin halved when one would overflow, so that old habits fade.
     */
    private double context(int bin) {
        int row = previousBin * BINS;
        int total = 0;
        for (int b = 0; b < BINS; b++) {
            total += transitions[row + b];
        }
        double hits = transitions[row + bin]
                + 0.5
                        * ((bin > 0 ? transitions[row + bin - 1] : 0)
                                + (bin < BINS - 1 ? transitions[row + bin + 1] : 0));
        double raw = 1 - Math.min(1, hits / (total + 1));
        if (transitions[row + bin] == Byte.MAX_VALUE) {
            for (int b = 0; b < BINS; b++) {
                transitions[row + b] = (byte) (transitions[row + b] / 2);
            }
        }
        transitions[row + bin]++;
        return raw;
    }

    /** The mean of the last {@code n} values. */
    private double mean(int n) {
        double sum = 0;
        for (int age = 1; age <= n; age++) {
            sum += recent[(int) ((seen - age) % recent.length)];
        }
        return sum / n;
    }

    /** The first value (counted from 1) with a raw score: when the shortest window is full. */
    private static int firstScored(Settings settings) {
        return settings.second() > 0 ? Math.min(settings.window(), settings.second()) : settings.window();
    }

    /**
     * The model's state, compact (at most 725 bytes with the default settings, whatever the number of
     * values seen): what the server keeps per device and key so that a restart does not start over.
     */
    public byte[] checkpoint() {
        ByteBuffer out = ByteBuffer.allocate(checkpointSize(settings));
        out.put(CHECKPOINT_VERSION);
        out.putLong(seen)
                .putDouble(min)
                .putDouble(max)
                .putLong(quietUntil)
                .putInt(calm)
                .putInt(shapeCount);
        out.putDouble(longLevel).putInt(previousBin).put(transitions);
        for (int p = 0; p < PARTS; p++) {
            out.putDouble(shortMean[p]).putDouble(longMean[p]).putDouble(longVariance[p]);
        }
        for (double v : recent) {
            out.putDouble(v);
        }
        for (int c = 0; c < shapeCount; c++) {
            for (double v : shapes[c]) {
                out.putDouble(v);
            }
            out.putLong(uses[c]);
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    /**
     * A detector that goes on from a checkpoint taken with the same settings. A checkpoint of an older
     * version of the model (another design) cannot be continued: the series starts over with a new model.
     */
    public static AnomalyDetector restore(Settings settings, byte[] checkpoint) {
        ByteBuffer in = ByteBuffer.wrap(checkpoint);
        AnomalyDetector detector = new AnomalyDetector(settings);
        if (checkpoint.length == 0 || in.get() != CHECKPOINT_VERSION) {
            return detector;
        }
        detector.seen = in.getLong();
        detector.min = in.getDouble();
        detector.max = in.getDouble();
        detector.quietUntil = in.getLong();
        detector.calm = in.getInt();
        detector.shapeCount = in.getInt();
        detector.longLevel = in.getDouble();
        detector.previousBin = in.getInt();
        in.get(detector.transitions);
        for (int p = 0; p < PARTS; p++) {
            detector.shortMean[p] = in.getDouble();
            detector.longMean[p] = in.getDouble();
            detector.longVariance[p] = in.getDouble();
        }
        for (int i = 0; i < detector.recent.length; i++) {
            detector.recent[i] = in.getDouble();
        }
        for (int c = 0; c < detector.shapeCount; c++) {
            for (int s = 0; s < settings.segments(); s++) {
                detector.shapes[c][s] = in.getDouble();
            }
            detector.uses[c] = in.getLong();
        }
        return detector;
    }

    /** The largest checkpoint of a model with these settings. */
    public static int checkpointSize(Settings settings) {
        return 1
                + 8
                + 8
                + 8
                + 8
                + 4
                + 4
                + 8
                + 4
                + BINS * BINS
                + PARTS * 24
                + 8 * Math.max(settings.window(), settings.second())
                + ((settings.parts() & 1) != 0 ? settings.categories() * (8 * settings.segments() + 8) : 0);
    }

    /** How many values the model has seen. */
    public long seen() {
        return seen;
    }

    /** The window as segment means, normalised by the range seen so far. */
    private void features() {
        int per = settings.window() / feature.length;
        double span = max - min;
        for (int s = 0; s < feature.length; s++) {
            double sum = 0;
            for (int j = 0; j < per; j++) {
                long age = settings.window() - (long) s * per - j; // oldest segment first
                sum += recent[(int) ((seen - age) % recent.length)];
            }
            feature[s] = (sum / per - min) / span;
        }
    }

    /** Matches the window against the shapes; learns it; returns how novel it was (0: resonated). */
    private double learn() {
        int best = -1;
        double bestSimilarity = -1;
        for (int c = 0; c < shapeCount; c++) {
            double distance = 0;
            for (int s = 0; s < feature.length; s++) {
                distance += Math.abs(shapes[c][s] - feature[s]);
            }
            double similarity = 1 - distance / feature.length;
            if (similarity > bestSimilarity) {
                bestSimilarity = similarity;
                best = c;
            }
        }
        if (best >= 0 && bestSimilarity >= settings.vigilance()) {
            for (int s = 0; s < feature.length; s++) {
                shapes[best][s] += settings.learningRate() * (feature[s] - shapes[best][s]);
            }
            uses[best]++;
            return 0;
        }
        int slot = shapeCount < shapes.length ? shapeCount++ : leastUsed();
        System.arraycopy(feature, 0, shapes[slot], 0, feature.length);
        uses[slot] = 1;
        return best < 0 ? 1 : Math.min(1, (settings.vigilance() - bestSimilarity) / (1 - settings.vigilance()));
    }

    private int leastUsed() {
        int slot = 0;
        for (int c = 1; c < shapeCount; c++) {
            if (uses[c] < uses[slot]) {
                slot = c;
            }
        }
        return slot;
    }
}
