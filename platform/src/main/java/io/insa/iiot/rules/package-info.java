/**
 * Rules, alerts and notifications: evaluation on committed points, no-data checks and the
 * notification outbox. The modules it may use are declared here and checked by {@code ModularityTest}.
 */
@org.springframework.modulith.ApplicationModule(
        allowedDependencies = {"analytics", "audit", "command", "device", "shared", "telemetry", "tenancy"})
package io.insa.iiot.rules;
