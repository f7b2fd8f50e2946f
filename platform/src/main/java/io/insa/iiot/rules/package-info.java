/**
 * Rules, alerts and notifications. This package holds the rule, its shape and its API;
 * {@code rules.evaluation} judges committed points and silences, {@code rules.alert} keeps the alert
 * lifecycle, {@code rules.notification} adds, sends and lists notifications. The modules it may use
 * are declared here and checked by {@code ModularityTest}.
 */
@org.springframework.modulith.ApplicationModule(
        allowedDependencies = {"analytics", "audit", "command", "device", "shared", "telemetry", "tenancy"})
package io.insa.iiot.rules;
