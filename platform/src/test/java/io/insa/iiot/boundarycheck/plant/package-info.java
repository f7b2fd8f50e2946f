/** Uses no other module. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {})
package io.insa.iiot.boundarycheck.plant;
