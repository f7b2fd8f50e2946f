/**
 * The ingest pipeline: parsing, limits, the queue and the batch writer. The modules it may use are declared here and checked by {@code ModularityTest}.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"device", "shared", "telemetry", "tenancy"})
package io.insa.iiot.ingest;
