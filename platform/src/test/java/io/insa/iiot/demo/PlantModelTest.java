package io.insa.iiot.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.demo.PlantModel.Fault;
import io.insa.iiot.demo.PlantModel.Kind;
import io.insa.iiot.demo.PlantModel.Machine;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlantModelTest {

    private static final Instant NOON = Instant.parse("2026-12-01T12:00:00Z");
    private final PlantModel model = new PlantModel(NOON, ZoneOffset.UTC, 42);

    @Test
    void thePlantHasFiftyMachinesOfFourKinds() {
        assertThat(PlantModel.machines()).hasSize(50);
        assertThat(PlantModel.machines().stream().map(Machine::kind).distinct()).hasSize(4);
        assertThat(new Machine(Kind.PUMP, 1).name()).isEqualTo("pump-01");
        assertThat(new Machine(Kind.STATION, 5).name()).isEqualTo("station-05");
    }

    @Test
    void aPumpsPressureSpikesThirtySecondsAfterStartAndThenEveryThreeMinutesOnAnotherPump() {
        Machine first = new Machine(Kind.PUMP, 1);
        assertThat(model.read(first, NOON.plusSeconds(20)).get("pressure_bar")).isLessThan(8);
        assertThat(model.faultOf(first, NOON.plusSeconds(32))).contains(Fault.PRESSURE_SPIKE);
        assertThat(model.read(first, NOON.plusSeconds(32)).get("pressure_bar")).isGreaterThan(10);
        assertThat(model.read(first, NOON.plusSeconds(40)).get("pressure_bar")).isLessThan(8);
        assertThat(model.faultOf(new Machine(Kind.PUMP, 8), NOON.plusSeconds(30 + 180 + 2)))
                .contains(Fault.PRESSURE_SPIKE);
    }

    @Test
    void aBearingDriftsPastEightyDegreesWithinTheFirstMinuteAndIsRepairedAfterTen() {
        Machine pump = new Machine(Kind.PUMP, 3);
        assertThat(model.faultOf(pump, NOON.plusSeconds(5))).isEmpty();
        assertThat(model.read(pump, NOON.plusSeconds(70)).get("bearing_temp_c")).isGreaterThan(80);
        assertThat(model.faultOf(new Machine(Kind.PUMP, 4), NOON.plusSeconds(70)))
                .isEmpty();
        assertThat(model.read(pump, NOON.plusSeconds(11 * 60)).get("bearing_temp_c"))
                .isLessThan(70);
    }

    @Test
    void aStuckLevelSensorRepeatsOneReadingWhileTheOthersMove() {
        Machine stuck = new Machine(Kind.TANK, 2);
        Machine other = new Machine(Kind.TANK, 3);
        model.read(stuck, NOON.plusSeconds(55));
        List<Double> stuckLevels = new ArrayList<>();
        List<Double> otherLevels = new ArrayList<>();
        for (int s = 65; s < 200; s += 5) {
            stuckLevels.add(model.read(stuck, NOON.plusSeconds(s)).get("level_pct"));
            otherLevels.add(model.read(other, NOON.plusSeconds(s)).get("level_pct"));
        }
        assertThat(stuckLevels).containsOnly(stuckLevels.getFirst());
        assertThat(otherLevels.stream().distinct().count()).isGreaterThan(10);
    }

    @Test
    void motorsFollowTheShiftsAndReadingsStayInTheirRangesOverADay() {
        Machine motor = new Machine(Kind.MOTOR, 1);
        PlantModel night = new PlantModel(NOON.minus(Duration.ofDays(2)), ZoneOffset.UTC, 7);
        Instant threeAm = Instant.parse("2026-12-01T03:00:00Z");
        assertThat(night.read(motor, threeAm).get("current_a"))
                .isLessThan(night.read(motor, NOON).get("current_a") - 10);
        for (Instant t = NOON; t.isBefore(NOON.plus(Duration.ofDays(1))); t = t.plus(Duration.ofMinutes(7))) {
            for (Machine m : PlantModel.machines()) {
                Map<String, Double> values = night.read(m, t);
                if (night.faultOf(m, t).isPresent()) {
                    continue;
                }
                switch (m.kind()) {
                    case PUMP -> {
                        assertThat(values.get("pressure_bar")).isBetween(2.0, 8.0);
                        assertThat(values.get("bearing_temp_c")).isBetween(30.0, 70.0);
                    }
                    case MOTOR -> assertThat(values.get("winding_temp_c")).isBetween(40.0, 95.0);
                    case TANK -> assertThat(values.get("level_pct")).isBetween(5.0, 95.0);
                    case STATION -> assertThat(values.get("speed_m_min")).isBetween(0.0, 60.0);
                }
            }
        }
    }
}
