package io.insa.iiot.shared;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A release reaches each lane's worker after the work handed over before it, and is awaited. */
class DeviceLanesTest {

    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch gate = new CountDownLatch(1);
    private final DeviceLanes<String> lanes = new DeviceLanes<>(
            new DeviceLanes.Setup("test-lanes", 2, 100, 10, Duration.ofSeconds(5)),
            new DeviceLanes.Meters<>(new SimpleMeterRegistry(), "test.queued", "test.dropped", w -> 1),
            lane -> new DeviceLanes.Worker<>() {
                @Override
                public void handle(List<String> work) {
                    try {
                        gate.await(); // held until the test has queued its release behind the work
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    seen.addAll(work);
                }

                @Override
                public void release() {
                    seen.add("released " + lane);
                }
            });

    @AfterEach
    void stop() {
        lanes.stop();
    }

    @Test
    @Timeout(10)
    void eachLaneReleasesAfterTheWorkHandedOverBefore() throws Exception {
        lanes.start();
        List<String> handed = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            UUID device = UUID.randomUUID();
            // the lane the device hashes to, named in the work
            String work = "work " + i + " on " + Math.floorMod(device.hashCode(), 2);
            lanes.hand(device, work);
            handed.add(work);
        }

        var released = lanes.release();
        assertThat(released).isNotDone();
        gate.countDown();
        released.get(5, TimeUnit.SECONDS);

        assertThat(seen).containsAll(handed).contains("released 0", "released 1");
        for (String work : handed) {
            String lane = work.substring(work.length() - 1);
            assertThat(seen.indexOf(work)).as(work).isLessThan(seen.indexOf("released " + lane));
        }
    }

    @Test
    void lanesThatDoNotRunAreReleasedAtOnce() {
        assertThat(lanes.release()).isCompleted();
    }
}
