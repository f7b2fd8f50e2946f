/**
 * Health and the OpenAPI description of the API. The modules it may use are declared here and checked by {@code ModularityTest}.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"shared"})
package io.insa.iiot.system;
