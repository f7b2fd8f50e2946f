package io.insa.iiot.analytics;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A streaming anomaly detector for one series (one device and key): each value is scored in [0, 1]
 * from it and the values before it only, in constant memory.
 *
 * <p>Design (docs/analytics.md): the recent window of values, normalised by the range seen so far and
 * reduced to a few segment means, is matched against a bounded set of learned shapes (categories, in
 * the manner of adaptive resonance): a window that resonates with a known shape refines it and is
 * normal; one that matches none is novel, and its distance to the nearest shape is its raw score. A
 * value beyond the range seen so far is novel by how far it lies outside. After a warm-up, raw scores
 * are turned into a score by how surprising they are against their own recent history, and a
 * detection is followed by a quiet period, since one anomaly is one event.
 */
public final class AnomalyDetector {

    /**
     * The detector's settings; {@link #DEFAULTS} are the server's and {@code ./iiot detect}'s.
     *
     * @param warmup values learned from before any score is given
     * @param window values in the window compared with the learned shapes
     * @param segments segment means the window is reduced to
     * @param vigilance similarity (1 - mean absolute difference of normalised segments) a window needs to
     *     resonate with a shape
     * @param categories most shapes kept (the least used is replaced when full)
     * @param learningRate how far a resonating shape moves towards the window
     * @param quiet values after a detection whose scores are damped
     * @param detection the raw novelty from which a value counts as a detection (and starts the quiet
     *     period); it is scored {@link #THRESHOLD}
     */
    public record Settings(
            int warmup,
            int window,
            int segments,
            double vigilance,
            int categories,
            double learningRate,
            int quiet,
            double detection) {}

    public static final Settings DEFAULTS = new Settings(400, 32, 4, 0.9, 32, 0.02, 400, 0.05);

    /** The score from which a value is anomalous: a raw novelty of {@code detection} maps to it. */
    public static final double THRESHOLD = 0.5;

    private static final byte CHECKPOINT_VERSION = 1;

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

    public AnomalyDetector(Settings settings) {
        this.settings = settings;
        this.recent = new double[settings.window()];
        this.shapes = new double[settings.categories()][settings.segments()];
        this.uses = new long[settings.categories()];
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
            double span = max - min;
            outside = Math.max(value - max, min - value) / span;
        }
        min = Math.min(min, value);
        max = Math.max(max, value);
        if (seen < recent.length || max <= min) {
            return 0;
        }
        features();
        double novelty = learn();
        double raw = Math.max(novelty, Math.min(1, Math.max(0, outside) * 2));
        if (seen <= settings.warmup()) {
            return 0;
        }
        if (seen < quietUntil) {
            raw *= 0.01;
        } else if (raw >= settings.detection()) {
            quietUntil = seen + settings.quiet();
        }
        return raw / (raw + settings.detection()); // detection -> THRESHOLD, monotone, below 1
    }

    /**
     * The model's state, compact (about 1.6 KB with the default settings, whatever the number of
     * values seen): what the server keeps per device and key so that a restart does not start over.
     */
    public byte[] checkpoint() {
        ByteBuffer out = ByteBuffer.allocate(checkpointSize(settings));
        out.put(CHECKPOINT_VERSION);
        out.putLong(seen).putDouble(min).putDouble(max).putLong(quietUntil).putInt(shapeCount);
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

    /** A detector that goes on from a checkpoint taken with the same settings. */
    public static AnomalyDetector restore(Settings settings, byte[] checkpoint) {
        ByteBuffer in = ByteBuffer.wrap(checkpoint);
        if (in.get() != CHECKPOINT_VERSION) {
            throw new IllegalArgumentException("unknown checkpoint version");
        }
        AnomalyDetector detector = new AnomalyDetector(settings);
        detector.seen = in.getLong();
        detector.min = in.getDouble();
        detector.max = in.getDouble();
        detector.quietUntil = in.getLong();
        detector.shapeCount = in.getInt();
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
        return 1 + 8 + 8 + 8 + 8 + 4 + 8 * settings.window() + settings.categories() * (8 * settings.segments() + 8);
    }

    /** How many values the model has seen. */
    public long seen() {
        return seen;
    }

    /** The window as segment means, normalised by the range seen so far. */
    private void features() {
        int per = recent.length / feature.length;
        double span = max - min;
        for (int s = 0; s < feature.length; s++) {
            double sum = 0;
            for (int j = 0; j < per; j++) {
                long age = recent.length - (long) s * per - j; // oldest segment first
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
