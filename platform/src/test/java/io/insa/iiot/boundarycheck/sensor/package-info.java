/** May use the plant. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"plant"})
package io.insa.iiot.boundarycheck.sensor;
