package io.insa.iiot.analytics;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of scoring one value with a warmed-up model (JMH; run with {@code scripts/jmh.sh}). The
 * series is a noisy daily cycle with an occasional spike, so that both resonating and novel windows are
 * timed.
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AnomalyDetectorBenchmark {

    private static final int SERIES = 1 << 16;

    private final double[] series = new double[SERIES];
    private AnomalyDetector detector;
    private int next;

    @Setup
    public void warmUp() {
        Random random = new Random(11);
        for (int i = 0; i < SERIES; i++) {
            series[i] = 20 + 10 * Math.sin(2 * Math.PI * i / 288) + random.nextGaussian() + (i % 5_000 == 0 ? 40 : 0);
        }
        detector = new AnomalyDetector();
        for (int i = 0; i < 10_000; i++) {
            detector.score(series[i]);
        }
        next = 10_000;
    }

    @Benchmark
    public double scoreOneValue() {
        double score = detector.score(series[next]);
        next = (next + 1) & (SERIES - 1);
        return score;
    }
}
