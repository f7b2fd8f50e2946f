package io.insa.iiot.analytics;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The predict endpoint's forecast on NAB (docs/analytics.md): from every 100th value on, the forecast of
 * the next 10 values from the previous values (at most {@value #HISTORY}), against the naive forecast
 * (the last value, repeated) and the seasonal-naive one (the value one day earlier, the day's length
 * taken from the file's timestamps). Prints, per source, the mean absolute error of the forecast divided
 * by theirs (one step ahead and over the ten steps), how often its 95 % interval held the value, and how
 * often a period was found. {@code java ... ForecastEvaluation NAB_DIR}
 */
public final class ForecastEvaluation {

    static final int HISTORY = 2_000;
    private static final int HORIZON = 10;
    private static final int EVERY = 100;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private ForecastEvaluation() {}

    public static void main(String[] args) throws IOException {
        // per source: errors {forecast h1, naive h1, seasonal h1, forecast all, naive all, seasonal all},
        // interval hits, forecasts, forecasts with a period
        Map<String, double[]> bySource = new TreeMap<>();
        for (NabFiles.DataFile file : NabFiles.read(Path.of(args[0]))) {
            String source = file.name().substring(0, file.name().indexOf('/'));
            double[] sums = bySource.computeIfAbsent(source, s -> new double[9]);
            double[] y = file.values();
            int day = daily(file.timestamps());
            int start = Math.max(day + 1, Math.min(HISTORY, y.length / 2));
            for (int t = start; t + HORIZON <= y.length; t += EVERY) {
                double[] history = Arrays.copyOfRange(y, Math.max(0, t - HISTORY), t);
                Forecast.Outlook outlook = Forecast.predict(history, HORIZON);
                for (int h = 1; h <= HORIZON; h++) {
                    double actual = y[t + h - 1];
                    double mine = Math.abs(actual - outlook.forecast()[h - 1]);
                    double naive = Math.abs(actual - y[t - 1]);
                    double seasonal = Math.abs(actual - y[t - day + ((h - 1) % day)]);
                    if (h == 1) {
                        sums[0] += mine;
                        sums[1] += naive;
                        sums[2] += seasonal;
                    }
                    sums[3] += mine;
                    sums[4] += naive;
                    sums[5] += seasonal;
                    sums[6] += actual >= outlook.lower()[h - 1] && actual <= outlook.upper()[h - 1] ? 1 : 0;
                }
                sums[7]++;
                sums[8] += outlook.period() > 0 ? 1 : 0;
            }
        }
        System.out.printf(
                "%-22s %9s %12s %12s %13s %15s %9s %8s%n",
                "source",
                "forecasts",
                "h1 / naive",
                "h1 / seas.",
                "1-10 / naive",
                "1-10 / seasonal",
                "coverage",
                "period");
        double[] all = new double[9];
        for (var entry : bySource.entrySet()) {
            print(entry.getKey(), entry.getValue());
            for (int i = 0; i < all.length; i++) {
                all[i] += entry.getValue()[i];
            }
        }
        print("all", all);
    }

    private static void print(String name, double[] s) {
        System.out.printf(
                "%-22s %9d %12.3f %12.3f %13.3f %15.3f %8.1f%% %7.0f%%%n",
                name,
                (long) s[7],
                s[0] / s[1],
                s[0] / s[2],
                s[3] / s[4],
                s[3] / s[5],
                100 * s[6] / (s[7] * HORIZON),
                100 * s[8] / s[7]);
    }

    /** Values in a day: a day divided by the file's median step. */
    private static int daily(List<String> timestamps) {
        long[] steps = new long[timestamps.size() - 1];
        LocalDateTime previous = LocalDateTime.parse(timestamps.get(0), TIME);
        for (int i = 1; i < timestamps.size(); i++) {
            LocalDateTime now = LocalDateTime.parse(timestamps.get(i), TIME);
            steps[i - 1] = Duration.between(previous, now).getSeconds();
            previous = now;
        }
        Arrays.sort(steps);
        long step = Math.max(1, steps[steps.length / 2]);
        return (int) Math.max(1, 86_400 / step);
    }
}
