package io.insa.iiot.demo;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The machines of the demo plant and what their sensors read at a moment: a daily cycle (demand peaks
 * in the afternoon, motors follow two shifts, tanks drain by day and fill by night), sensor noise, and
 * faults on a schedule counted from the demo's start, so that the first ones show within two minutes:
 * a pump's discharge pressure spikes, a pump's bearing temperature drifts up, a tank's level sensor
 * sticks.
 */
final class PlantModel {

    enum Kind {
        PUMP("pump", 20),
        MOTOR("motor", 15),
        TANK("tank", 10),
        /** Stations of the packaging line, read over OPC UA rather than published over MQTT. */
        STATION("line_station", 5);

        final String type;
        final int count;

        Kind(String type, int count) {
            this.type = type;
            this.count = count;
        }
    }

    record Machine(Kind kind, int number) {
        String name() {
            return (kind == Kind.STATION ? "station" : kind.type) + "-%02d".formatted(number);
        }
    }

    enum Fault {
        PRESSURE_SPIKE,
        BEARING_DRIFT,
        STUCK_SENSOR
    }

    /** A spike on one pump every 3 minutes, the first 30 s after start, lasting 8 s. */
    static final Duration SPIKE_EVERY = Duration.ofMinutes(3);

    static final Duration SPIKE_FIRST = Duration.ofSeconds(30);
    static final Duration SPIKE_LASTS = Duration.ofSeconds(8);
    /** A drifting bearing every 30 minutes, the first 10 s after start, for 10 minutes at 0.5 °C/s. */
    static final Duration DRIFT_EVERY = Duration.ofMinutes(30);

    static final Duration DRIFT_FIRST = Duration.ofSeconds(10);
    static final Duration DRIFT_LASTS = Duration.ofMinutes(10);
    static final double DRIFT_PER_SECOND = 0.5;
    static final double DRIFT_MAX = 45;
    /** A stuck level sensor every 20 minutes, the first a minute after start, for 8 minutes. */
    static final Duration STUCK_EVERY = Duration.ofMinutes(20);

    static final Duration STUCK_FIRST = Duration.ofMinutes(1);
    static final Duration STUCK_LASTS = Duration.ofMinutes(8);

    private final Instant start;
    private final ZoneId zone;
    private final Random noise;
    /** The reading a stuck sensor repeats, kept from the moment it stuck. */
    private final Map<Machine, Double> stuckAt = new ConcurrentHashMap<>();

    private final Map<Machine, Double> lastLevel = new ConcurrentHashMap<>();

    PlantModel(Instant start, ZoneId zone, long seed) {
        this.start = start;
        this.zone = zone;
        this.noise = new Random(seed);
    }

    static List<Machine> machines() {
        List<Machine> all = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (int n = 1; n <= kind.count; n++) {
                all.add(new Machine(kind, n));
            }
        }
        return List.copyOf(all);
    }

    /** The fault the machine has at {@code at}, if any. */
    Optional<Fault> faultOf(Machine machine, Instant at) {
        long s = Duration.between(start, at).toSeconds();
        return switch (machine.kind()) {
            case PUMP -> {
                if (inWindow(s, SPIKE_FIRST, SPIKE_EVERY, SPIKE_LASTS)
                        && machine.number() == rotate(s, SPIKE_FIRST, SPIKE_EVERY, 1, 20)) {
                    yield Optional.of(Fault.PRESSURE_SPIKE);
                }
                if (inWindow(s, DRIFT_FIRST, DRIFT_EVERY, DRIFT_LASTS)
                        && machine.number() == rotate(s, DRIFT_FIRST, DRIFT_EVERY, 3, 20)) {
                    yield Optional.of(Fault.BEARING_DRIFT);
                }
                yield Optional.empty();
            }
            case TANK ->
                inWindow(s, STUCK_FIRST, STUCK_EVERY, STUCK_LASTS)
                                && machine.number() == rotate(s, STUCK_FIRST, STUCK_EVERY, 2, 10)
                        ? Optional.of(Fault.STUCK_SENSOR)
                        : Optional.empty();
            default -> Optional.empty();
        };
    }

    /** The machine's readings at {@code at}, key to value, in the units their names give. */
    Map<String, Double> read(Machine machine, Instant at) {
        double hour = at.atZone(zone).toLocalTime().toSecondOfDay() / 3600.0;
        double s = Duration.between(start, at).toMillis() / 1000.0;
        Optional<Fault> fault = faultOf(machine, at);
        Map<String, Double> values = new LinkedHashMap<>();
        int n = machine.number();
        switch (machine.kind()) {
            case PUMP -> {
                double demand = 0.7 + 0.25 * daily(hour, 14) + 0.04 * Math.sin(s / 97.0 + n);
                double drift = fault.filter(Fault.BEARING_DRIFT::equals).isPresent() ? drift(s) : 0;
                boolean spike = fault.filter(Fault.PRESSURE_SPIKE::equals).isPresent();
                values.put("flow_m3h", round(30 + 25 * demand * (1 + 0.02 * (n % 5)) + gauss(0.8)));
                values.put("pressure_bar", round(spike ? 11.5 + gauss(0.3) : 3.2 + 2.4 * demand + gauss(0.08)));
                values.put("bearing_temp_c", round(48 + 12 * demand + drift + gauss(0.3)));
                values.put("vibration_mm_s", round(1.8 + 0.8 * demand + drift / 15 + gauss(0.15)));
            }
            case MOTOR -> {
                double load = 0.35 + 0.55 * shifts(hour) + 0.05 * Math.sin(s / 60.0 + n);
                values.put("current_a", round(12 + 30 * load + gauss(0.5)));
                values.put("speed_rpm", round(1480 - 20 * load + gauss(2)));
                values.put("winding_temp_c", round(45 + 35 * load + gauss(0.4)));
                values.put("vibration_mm_s", round(1.2 + 0.5 * load + gauss(0.1)));
            }
            case TANK -> {
                double level = 50 + 30 * daily(hour, 3 + 0.7 * n) + 3 * Math.sin(s / 143.0 + n) + gauss(0.3);
                if (fault.isPresent()) {
                    level = stuckAt.computeIfAbsent(machine, m -> lastLevel.getOrDefault(m, 50.0));
                } else {
                    stuckAt.remove(machine);
                    lastLevel.put(machine, round(level));
                }
                values.put("level_pct", round(level));
                values.put("temperature_c", round(18 + 4 * daily(hour, 15) + gauss(0.1)));
            }
            case STATION -> {
                double pace = 0.2 + 0.8 * shifts(hour);
                values.put("speed_m_min", round(48 * pace + 2 * Math.sin(s / 45.0 + n) + gauss(0.4)));
                values.put("temperature_c", round(175 + 8 * pace + gauss(0.5)));
            }
        }
        return values;
    }

    /** A cosine over the day with its peak at {@code peakHour}, between -1 and 1. */
    private static double daily(double hour, double peakHour) {
        return Math.cos(2 * Math.PI * (hour - peakHour) / 24);
    }

    /** 1 during the two shifts (06:00 to 22:00), 0 at night, with an hour's ramp at each end. */
    private static double shifts(double hour) {
        if (hour >= 6 && hour < 22) {
            return Math.min(1, Math.min(hour - 6, 22 - hour) + 0.0);
        }
        return 0;
    }

    private double drift(double s) {
        double since = (s - DRIFT_FIRST.toSeconds()) % DRIFT_EVERY.toSeconds();
        return Math.min(DRIFT_MAX, DRIFT_PER_SECOND * since);
    }

    private double gauss(double sigma) {
        synchronized (noise) {
            return noise.nextGaussian() * sigma;
        }
    }

    private static boolean inWindow(long s, Duration first, Duration every, Duration lasts) {
        return s >= first.toSeconds() && (s - first.toSeconds()) % every.toSeconds() < lasts.toSeconds();
    }

    /** Which machine has the fault in this round: {@code from}, then every 7th after it, of {@code count}. */
    private static int rotate(long s, Duration first, Duration every, int from, int count) {
        long round = (s - first.toSeconds()) / every.toSeconds();
        return (int) ((from - 1 + 7 * round) % count) + 1;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
