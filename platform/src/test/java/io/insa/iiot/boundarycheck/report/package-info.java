/** May use the plant, and only the plant. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"plant"})
package io.insa.iiot.boundarycheck.report;
