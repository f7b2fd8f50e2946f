package io.insa.iiot.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The lockout's arithmetic: per (e-mail, address), starting after five failures, doubling, capped. */
class LoginLockoutTest {

    /** Time that moves only when the test moves it. */
    private static final class StoppedClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void shift(Duration by) {
            now = now.plus(by);
        }

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

    private final StoppedClock clock = new StoppedClock();
    private final LoginLockout lockout = new LoginLockout(clock, 5, Duration.ofSeconds(30), Duration.ofMinutes(15));

    @Test
    void theFifthFailureLocksAndEachFurtherFailureDoublesTheDelayUpToTheCap() {
        for (int i = 0; i < 4; i++) {
            assertThat(lockout.recordFailure("a@x", "10.0.0.1")).isEmpty();
        }
        assertThat(lockout.lockedFor("a@x", "10.0.0.1")).isEmpty();

        assertThat(lockout.recordFailure("a@x", "10.0.0.1")).isPresent();
        assertThat(lockout.lockedFor("a@x", "10.0.0.1")).contains(Duration.ofSeconds(30));

        Duration[] expected = {Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(240)};
        for (Duration delay : expected) {
            clock.shift(lockout.lockedFor("a@x", "10.0.0.1").orElseThrow());
            assertThat(lockout.lockedFor("a@x", "10.0.0.1")).isEmpty();
            lockout.recordFailure("a@x", "10.0.0.1");
            assertThat(lockout.lockedFor("a@x", "10.0.0.1")).contains(delay);
        }
        for (int i = 0; i < 30; i++) {
            lockout.recordFailure("a@x", "10.0.0.1");
        }
        assertThat(lockout.lockedFor("a@x", "10.0.0.1")).contains(Duration.ofMinutes(15));
    }

    @Test
    void aLockHoldsOnlyForItsAddressAndASuccessClearsIt() {
        for (int i = 0; i < 5; i++) {
            lockout.recordFailure("a@x", "10.0.0.1");
        }

        assertThat(lockout.lockedFor("a@x", "10.0.0.2")).isEmpty();
        assertThat(lockout.lockedFor("b@x", "10.0.0.1")).isEmpty();
        lockout.recordSuccess("a@x", "10.0.0.1");
        assertThat(lockout.lockedFor("a@x", "10.0.0.1")).isEmpty();
        assertThat(lockout.recordFailure("a@x", "10.0.0.1"))
                .as("the count starts over")
                .isEmpty();
    }
}
