/**
 * Devices, their credentials and attributes; the device API, bulk provisioning, device
 * authentication and gateway ownership. The modules it may use are declared here and checked by {@code ModularityTest}.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"audit", "shared", "tenancy"})
package io.insa.iiot.device;
