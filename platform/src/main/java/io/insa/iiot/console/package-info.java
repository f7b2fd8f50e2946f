/**
 * The web console: pages, its session-based filter chain and live charts. The modules it may use are declared here and checked by {@code ModularityTest}.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"device", "identity", "shared", "telemetry"})
package io.insa.iiot.console;
