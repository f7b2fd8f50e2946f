package io.insa.iiot.transport;

import io.insa.iiot.ingest.IngestPressure;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.TestPropertySource;

/**
 * Base of the transport tests that choose the ingest outcome: the whole platform with real protocol
 * clients, but the transports talk to a {@link FakeIngest} and to an ingest pressure the test raises
 * and lowers. All subclasses share one application context.
 */
@Import(FakeIngestTest.FakeIngestConfiguration.class)
// a second application context in the test JVM: a small pool keeps PostgreSQL's connection slots for the others
@TestPropertySource(properties = "spring.datasource.hikari.maximum-pool-size=3")
public abstract class FakeIngestTest extends IntegrationTest {

    /** The queue depth the test pressure reads: at {@value #HIGH} it is high, at {@value #LOW} low again. */
    static final AtomicInteger DEPTH = new AtomicInteger();

    // far above what the tests send: the messages being admitted, which count too, never cross them
    static final int HIGH = 1_000_000;
    static final int LOW = 500_000;

    @TestConfiguration
    static class FakeIngestConfiguration {
        @Bean
        @Primary
        FakeIngest fakeIngest() {
            return new FakeIngest();
        }

        @Bean
        @Primary
        IngestPressure testPressure() {
            return new IngestPressure(DEPTH::get, HIGH, LOW);
        }
    }

    @Autowired
    protected FakeIngest ingest;

    @Autowired
    protected IngestPressure pressure;

    protected static Fixture.Member operator;

    @BeforeEach
    void ordinaryIngest() {
        if (operator == null) {
            operator = fixture.member(fixture.tenant("Fake ingest"), "operator");
        }
        ingest.reset();
        lowerPressure();
    }

    @AfterEach
    void nothingLeftHeld() {
        ingest.reset();
        lowerPressure();
    }

    /** The ingest queue reaches its high-water mark. */
    protected void raisePressure() {
        DEPTH.set(HIGH);
        pressure.sample();
    }

    /** The ingest queue is back at its low-water mark. */
    protected void lowerPressure() {
        DEPTH.set(0);
        pressure.sample();
    }

    protected Fixture.DeviceHandle device(String prefix) {
        return fixture.device(operator.accessToken(), Fixture.unique(prefix));
    }
}
