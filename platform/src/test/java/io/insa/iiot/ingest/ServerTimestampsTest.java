package io.insa.iiot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ServerTimestampsTest {

    private final ServerTimestamps timestamps = new ServerTimestamps();
    private final Instant now = Instant.parse("2026-12-07T01:00:00.123456789Z");

    @Test
    void oneInstantGivesOneDeviceMicrosecondsApartAndAnotherDeviceTheInstantItself() {
        UUID pump = UUID.randomUUID();
        UUID motor = UUID.randomUUID();
        assertThat(timestamps.next(pump, now)).isEqualTo("2026-12-07T01:00:00.123456Z");
        assertThat(timestamps.next(pump, now)).isEqualTo("2026-12-07T01:00:00.123457Z");
        assertThat(timestamps.next(pump, now)).isEqualTo("2026-12-07T01:00:00.123458Z");
        assertThat(timestamps.next(motor, now)).isEqualTo("2026-12-07T01:00:00.123456Z");
    }

    @Test
    void aClockThatMovesOnIsFollowedAndOneThatStepsBackIsNot() {
        UUID pump = UUID.randomUUID();
        assertThat(timestamps.next(pump, now)).isEqualTo("2026-12-07T01:00:00.123456Z");
        assertThat(timestamps.next(pump, now.plusMillis(5))).isEqualTo("2026-12-07T01:00:00.128456Z");
        assertThat(timestamps.next(pump, now.minusSeconds(1))).isEqualTo("2026-12-07T01:00:00.128457Z");
    }

    @Test
    void devicesWhoseLastStampTheClockLeftFarBehindAreForgotten() {
        for (int i = 0; i < 1000; i++) {
            timestamps.next(UUID.randomUUID(), now);
        }
        Instant later = now.plus(Duration.ofMinutes(1));
        UUID busy = UUID.randomUUID();
        for (int i = 0; i < 1 << 16; i++) {
            timestamps.next(busy, later);
        }
        assertThat(timestamps.remembered()).isEqualTo(1);
    }
}
