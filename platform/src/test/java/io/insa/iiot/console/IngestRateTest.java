package io.insa.iiot.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.telemetry.Point;
import io.insa.iiot.telemetry.TelemetryCommitted;
import io.insa.iiot.telemetry.TelemetryValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IngestRateTest {

    /** A clock the test moves by hand. */
    static final class HandClock extends Clock {
        Instant now = Instant.parse("2026-12-01T10:00:00.200Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final HandClock clock = new HandClock();
    final IngestRate rate = new IngestRate(clock);
    final UUID plant = UUID.randomUUID();
    final UUID other = UUID.randomUUID();

    @Test
    void countsTheLastTenWholeSecondsOfEachTenantAndNotTheSecondUnderWay() {
        commit(plant, 30);
        commit(other, 1000);
        assertThat(rate.perSecond(plant)).as("the second under way is not over").isZero();

        clock.now = clock.now.plusSeconds(1);
        commit(plant, 20);
        assertThat(rate.perSecond(plant)).isEqualTo(3.0); // 30 points over a 10 s window

        clock.now = clock.now.plusSeconds(1);
        assertThat(rate.perSecond(plant)).isEqualTo(5.0);
        assertThat(rate.perSecond(other)).isEqualTo(100.0);
        assertThat(rate.perSecond(UUID.randomUUID())).isZero();
    }

    @Test
    void secondsOlderThanTheWindowAreForgottenAndTheirSlotsReused() {
        commit(plant, 50);
        clock.now = clock.now.plus(Duration.ofSeconds(IngestRate.WINDOW_S + 1));
        assertThat(rate.perSecond(plant)).isZero();

        commit(plant, 7); // lands in a slot an old second used
        clock.now = clock.now.plusSeconds(1);
        assertThat(rate.perSecond(plant)).isEqualTo(0.7);
    }

    private void commit(UUID tenant, int points) {
        var device = new DeviceIdentity(UUID.randomUUID(), TenantId.of(tenant), "d", "sensor");
        var point = new Point("t", clock.instant(), new TelemetryValue.LongValue(1));
        rate.onCommitted(new TelemetryCommitted(
                List.of(new TelemetryCommitted.DevicePoints(device, Collections.nCopies(points, point)))));
    }
}
