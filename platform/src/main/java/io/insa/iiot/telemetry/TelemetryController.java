package io.insa.iiot.telemetry;

import io.insa.iiot.device.Devices;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Csv;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.telemetry.TelemetryQueries.Aggregation;
import io.insa.iiot.telemetry.TelemetryQueries.Sample;
import io.insa.iiot.tenancy.TenantAccess;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v1/devices/{id}/telemetry} (raw or bucketed), {@code .../telemetry/latest} and
 * {@code .../telemetry/export} (CSV), in the caller's active tenant. Times are ISO-8601 instants or
 * epoch milliseconds; intervals are ISO-8601 durations or 30s, 5m, 1h, 1d.
 */
@RestController
@RequestMapping("/api/v1/devices/{deviceId}/telemetry")
class TelemetryController {

    static final int MAX_KEYS = 50;
    static final int MAX_LIMIT = 10_000;
    static final int MAX_BUCKETS = 10_000;

    record Series(
            UUID deviceId, Instant start, Instant end, Long intervalMs, String agg, Map<String, List<Sample>> series) {}

    record Latest(UUID deviceId, Map<String, Sample> values) {}

    /** The query string of a series request, as sent. */
    record SeriesParams(String keys, String start, String end, String interval, String agg, Integer limit) {}

    /** A validated query. */
    private record Query(
            List<String> keys, Instant start, Instant end, Duration interval, Aggregation agg, int limit) {}

    private final TelemetryQueries queries;
    private final Devices devices;
    private final TenantAccess access;
    private final TenantTransactions transactions;
    private final JsonMapper json;
    private final Clock clock;
    private final Duration maxRange;

    TelemetryController(
            TelemetryQueries queries,
            Devices devices,
            TenantAccess access,
            TenantTransactions transactions,
            JsonMapper json,
            Clock clock,
            @Value("${insa.telemetry.max-query-range}") Duration maxRange) {
        this.queries = queries;
        this.devices = devices;
        this.access = access;
        this.transactions = transactions;
        this.json = json;
        this.clock = clock;
        this.maxRange = maxRange;
    }

    @GetMapping
    Series series(@AuthenticationPrincipal Caller caller, @PathVariable UUID deviceId, SeriesParams params) {
        return read(caller, deviceId, tenant -> series(tenant, deviceId, query(params)));
    }

    private Series series(TenantId tenant, UUID deviceId, Query q) {
        Map<String, List<Sample>> series = q.interval() == null
                ? queries.raw(tenant, deviceId, q.keys(), q.start(), q.end(), q.limit())
                : queries.buckets(tenant, deviceId, q.keys(), q.start(), q.end(), q.interval(), q.agg());
        return new Series(
                deviceId,
                q.start(),
                q.end(),
                q.interval() == null ? null : q.interval().toMillis(),
                q.agg().name().toLowerCase(Locale.ROOT),
                series);
    }

    @GetMapping("/latest")
    Latest latest(
            @AuthenticationPrincipal Caller caller,
            @PathVariable UUID deviceId,
            @RequestParam(required = false) String keys) {
        return inActiveTenant(caller, tenant -> {
            List<String> names = keys == null || keys.isBlank() ? List.of() : keyList(keys);
            Map<String, Sample> values = queries.latest(tenant, deviceId, names);
            if (values.isEmpty()) {
                requireDevice(tenant, deviceId); // no values: a device without them, or no device (404)
            }
            return new Latest(deviceId, values);
        });
    }

    @GetMapping(value = "/export", produces = "text/csv")
    ResponseEntity<String> export(
            @AuthenticationPrincipal Caller caller, @PathVariable UUID deviceId, SeriesParams params) {
        Series s = series(caller, deviceId, params);
        StringBuilder csv = new StringBuilder(Csv.line(List.of("key", "ts", "value")));
        s.series()
                .forEach((key, samples) -> samples.forEach(sample -> csv.append(Csv.line(List.of(
                        key,
                        Instant.ofEpochMilli(sample.ts()),
                        sample.value() == null
                                ? ""
                                : sample.value() instanceof String str
                                        ? str
                                        : json.writeValueAsString(sample.value()))))));
        return ResponseEntity.ok()
                .contentType(new MediaType("text", "csv"))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"telemetry-" + deviceId + ".csv\"")
                .body(csv.toString());
    }

    /** The device checked, then the query: both in one transaction of the caller's active tenant. */
    private <T> T read(Caller caller, UUID deviceId, Function<TenantId, T> query) {
        return inActiveTenant(caller, tenant -> query.apply(requireDevice(tenant, deviceId)));
    }

    /**
     * The access check and the work in one transaction of the caller's active tenant: a read is then
     * one BEGIN ... COMMIT on one pooled connection instead of one per check (the checks join it).
     */
    private <T> T inActiveTenant(Caller caller, Function<TenantId, T> work) {
        if (caller.activeTenant() == null) {
            access.requireActive(caller, TenantAccess.Need.READ); // refuses: no active tenant
        }
        return transactions.inTenant(
                caller.activeTenant(),
                () -> work.apply(
                        access.requireActive(caller, TenantAccess.Need.READ).tenantId()));
    }

    private TenantId requireDevice(TenantId tenant, UUID deviceId) {
        if (!devices.exists(tenant, deviceId)) {
            throw ProblemException.notFound("device " + deviceId);
        }
        return tenant;
    }

    private Query query(SeriesParams params) {
        String keys = params.keys();
        String start = params.start();
        String end = params.end();
        String interval = params.interval();
        String agg = params.agg();
        Integer limit = params.limit();
        if (keys == null || keys.isBlank()) {
            throw ProblemException.badRequest("keys", "name at least one key, e.g. keys=temperature,humidity");
        }
        List<String> names = keyList(keys);
        Instant to = end == null ? clock.instant() : instant("end", end);
        Instant from = start == null ? to.minus(Duration.ofDays(1)) : instant("start", start);
        if (!from.isBefore(to)) {
            throw ProblemException.badRequest("start", "must be before end");
        }
        if (Duration.between(from, to).compareTo(maxRange) > 0) {
            throw ProblemException.badRequest("start", "the range may span at most " + maxRange.toDays() + " days");
        }
        Duration step = interval == null ? null : duration(interval);
        Aggregation aggregation = aggregation(agg, step);
        if (step != null && Duration.between(from, to).dividedBy(step) > MAX_BUCKETS) {
            throw ProblemException.badRequest(
                    "interval", "the range holds more than " + MAX_BUCKETS + " intervals of " + interval);
        }
        int max = limit == null ? 1000 : limit;
        if (max < 1 || max > MAX_LIMIT) {
            throw ProblemException.badRequest("limit", "must be between 1 and " + MAX_LIMIT);
        }
        return new Query(names, from, to, step, aggregation, max);
    }

    private static List<String> keyList(String keys) {
        List<String> names = Arrays.stream(keys.split(","))
                .map(String::strip)
                .filter(k -> !k.isEmpty())
                .distinct()
                .collect(Collectors.toList());
        if (names.isEmpty() || names.size() > MAX_KEYS) {
            throw ProblemException.badRequest("keys", "name 1 to " + MAX_KEYS + " keys");
        }
        return names;
    }

    private static Aggregation aggregation(String agg, Duration interval) {
        Aggregation a;
        try {
            a = agg == null
                    ? (interval == null ? Aggregation.NONE : Aggregation.AVG)
                    : Aggregation.valueOf(agg.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("agg", "must be one of none, avg, min, max, sum, count");
        }
        if (a == Aggregation.NONE && interval != null) {
            throw ProblemException.badRequest("agg", "an interval needs an aggregation (avg, min, max, sum, count)");
        }
        if (a != Aggregation.NONE && interval == null) {
            throw ProblemException.badRequest("interval", "aggregation '" + agg + "' needs an interval");
        }
        return a;
    }

    static Instant instant(String field, String value) {
        try {
            return value.chars().allMatch(Character::isDigit)
                    ? Instant.ofEpochMilli(Long.parseLong(value))
                    : Instant.parse(value);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw ProblemException.badRequest(field, "must be an ISO-8601 instant or epoch milliseconds");
        }
    }

    static Duration duration(String value) {
        Duration d;
        try {
            char unit = value.charAt(value.length() - 1);
            d = value.chars().allMatch(Character::isDigit)
                    ? Duration.ofMillis(Long.parseLong(value)) // plain milliseconds, as ThingsBoard's clients send
                    : switch (unit) {
                        case 's' -> Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
                        case 'm' -> Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
                        case 'h' -> Duration.ofHours(Long.parseLong(value.substring(0, value.length() - 1)));
                        case 'd' -> Duration.ofDays(Long.parseLong(value.substring(0, value.length() - 1)));
                        default -> Duration.parse(value);
                    };
        } catch (RuntimeException e) {
            throw ProblemException.badRequest(
                    "interval", "must be milliseconds, an ISO-8601 duration or like 30s, 5m, 1h, 1d");
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            throw ProblemException.badRequest("interval", "must be at least 1 second");
        }
        return d;
    }
}
