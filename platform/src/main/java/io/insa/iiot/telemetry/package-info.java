/**
 * Stored telemetry: the one write, queries, latest values, retention, compaction and the daily
 * quota, and the hand-off of committed telemetry. The modules it may use are declared here and checked by {@code ModularityTest}.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"device", "shared", "tenancy"})
package io.insa.iiot.telemetry;
