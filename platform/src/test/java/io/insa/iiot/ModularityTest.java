package io.insa.iiot;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.boundarycheck.BoundaryCheckApplication;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.core.Violations;

/**
 * Features talk through their public types only, never in a cycle, and each uses only the modules its
 * {@code package-info} allows (the directions docs/architecture.md draws).
 */
class ModularityTest {

    private static final ApplicationModules MODULES = ApplicationModules.of(IiotApplication.class);

    @Test
    void moduleBoundariesHold() {
        MODULES.verify();
    }

    @Test
    void everyModuleButTheSharedOneDeclaresWhatItMayUse() throws ClassNotFoundException {
        for (var module : MODULES) {
            ApplicationModule declared = Class.forName(module.getBasePackage().getName() + ".package-info")
                    .getAnnotation(ApplicationModule.class);
            assertThat(declared)
                    .as(module.getIdentifier() + " has @ApplicationModule")
                    .isNotNull();
            if (declared.type() != ApplicationModule.Type.OPEN) {
                assertThat(declared.allowedDependencies())
                        .as(module.getIdentifier() + " declares its allowed dependencies")
                        .isNotEmpty();
            }
        }
    }

    @Test
    void aDependencyThatNoPackageInfoAllowsFailsEvenWithoutACycle() {
        // the fixture lives among the test classes, which the platform's own check leaves out
        Violations violations = ApplicationModules.of(BoundaryCheckApplication.class, location -> true)
                .detectViolations();
        assertThat(violations.getMessages()).singleElement().asString().contains("report", "sensor");
    }
}
