package io.insa.iiot.boundarycheck;

/**
 * A three-module application that breaks a declared direction on purpose, without a cycle: what
 * {@code ModularityTest} must catch. Test classes only, outside the platform's own modules.
 */
@org.springframework.modulith.Modulithic
public final class BoundaryCheckApplication {

    private BoundaryCheckApplication() {}
}
