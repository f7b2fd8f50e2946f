/**
 * The platform as a client of other systems: OPC UA connectors into the ingest pipeline. The modules it may use are declared here and checked by {@code ModularityTest}.
 */
@org.springframework.modulith.ApplicationModule(
        allowedDependencies = {"audit", "command", "device", "ingest", "shared", "tenancy"})
package io.insa.iiot.connector;
