/**
 * Users, sessions, tokens and API keys; login, member endpoints and the security filter chain. The modules it may use are declared here and checked by {@code ModularityTest}.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"audit", "shared", "tenancy"})
package io.insa.iiot.identity;
