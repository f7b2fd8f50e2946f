package io.insa.iiot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IngestPressureTest {

    private final AtomicInteger depth = new AtomicInteger();
    private final List<String> crossings = new ArrayList<>();
    private final IngestPressure pressure = IngestPressure.of(depth::get, 1000, 0.5, 0.25);

    {
        pressure.listen(() -> crossings.add("high"), () -> crossings.add("low"));
    }

    @Test
    void isHighFromTheHighWaterMarkUntilTheQueueIsBackAtTheLowOne() {
        sampleAt(499);
        assertThat(pressure.isHigh()).isFalse();
        sampleAt(500);
        assertThat(pressure.isHigh()).isTrue();
        sampleAt(300);
        assertThat(pressure.isHigh()).as("between the marks it stays high").isTrue();
        sampleAt(250);
        assertThat(pressure.isHigh()).isFalse();
        sampleAt(400);
        assertThat(pressure.isHigh()).as("between the marks it stays low").isFalse();
        assertThat(crossings).containsExactly("high", "low");
    }

    @Test
    void listenersHearEachCrossingOnce() {
        sampleAt(900);
        sampleAt(950);
        sampleAt(0);
        sampleAt(0);
        sampleAt(600);
        assertThat(crossings).containsExactly("high", "low", "high");
    }

    @Test
    void whileTheDatabaseIsUnreachableSocketsPauseButRequestsAreHeldNotRefused() {
        sampleAt(10);
        pressure.databaseUnreachable(true);
        pressure.databaseUnreachable(true); // a second writer holds its batch too
        assertThat(pressure.isHigh()).as("socket transports read nothing new").isTrue();
        assertThat(pressure.isQueueHigh())
                .as("request transports wait for their answer")
                .isFalse();
        assertThat(pressure.catchingUp()).isTrue();
        pressure.databaseUnreachable(false);
        assertThat(pressure.isHigh()).as("one writer still holds its batch").isTrue();
        pressure.databaseUnreachable(false);
        assertThat(pressure.isHigh()).isFalse();
        assertThat(crossings).containsExactly("high", "low");
    }

    @Test
    void aHighQueueStaysHighWhenTheDatabaseComesBack() {
        pressure.databaseUnreachable(true);
        sampleAt(600);
        pressure.databaseUnreachable(false);
        assertThat(pressure.isHigh()).isTrue();
        assertThat(pressure.isQueueHigh()).isTrue();
        sampleAt(100);
        assertThat(pressure.isHigh()).isFalse();
        assertThat(crossings).containsExactly("high", "low");
    }

    @Test
    void marksOutOfOrderAreRefusedAtStartUp() {
        assertThatThrownBy(() -> IngestPressure.of(depth::get, 1000, 0.25, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queue-high-water");
        assertThatThrownBy(() -> IngestPressure.of(depth::get, 1000, 1.5, 0.5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private void sampleAt(int size) {
        depth.set(size);
        pressure.sample();
    }
}
