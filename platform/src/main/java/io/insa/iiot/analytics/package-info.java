/**
 * Anomaly detection: the streaming detector, scoring after commit, checkpoints and predict. The modules it may use are declared here and checked by {@code ModularityTest}.
 */
@org.springframework.modulith.ApplicationModule(
        allowedDependencies = {"audit", "device", "shared", "telemetry", "tenancy"})
package io.insa.iiot.analytics;
