package io.insa.iiot.analytics;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Heap per model (run with {@code scripts/jmh.sh}): many detectors, each warmed up on its own series,
 * and the heap in use before and after, with garbage collected. Prints bytes per model and the size of
 * a checkpoint.
 */
public final class AnomalyModelFootprint {

    private AnomalyModelFootprint() {}

    public static void main(String[] args) {
        int models = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Random random = new Random(13);
        long before = usedAfterGc();
        List<AnomalyDetector> kept = new ArrayList<>(models);
        for (int m = 0; m < models; m++) {
            AnomalyDetector detector = new AnomalyDetector();
            double phase = random.nextDouble() * 288;
            for (int i = 0; i < 1_000; i++) {
                detector.score(20 + 10 * Math.sin(2 * Math.PI * (i + phase) / 288) + random.nextGaussian());
            }
            kept.add(detector);
        }
        long after = usedAfterGc();
        System.out.printf(
                "memory:  %d models warmed on 1,000 values each: %.0f bytes of heap per model; checkpoint %d bytes"
                        + " (at most %d with the default settings)%n",
                kept.size(),
                (after - before) / (double) kept.size(),
                kept.getFirst().checkpoint().length,
                AnomalyDetector.checkpointSize(AnomalyDetector.DEFAULTS));
    }

    private static long usedAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
