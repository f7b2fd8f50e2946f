package io.insa.iiot;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/** Features talk through their public types only, and never in a cycle. */
class ModularityTest {

    @Test
    void moduleBoundariesHold() {
        ApplicationModules.of(IiotApplication.class).verify();
    }
}
