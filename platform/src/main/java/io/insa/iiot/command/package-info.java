/**
 * Commands to devices over every transport. The modules it may use are declared here and checked by {@code ModularityTest}.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"audit", "device", "shared", "tenancy"})
package io.insa.iiot.command;
