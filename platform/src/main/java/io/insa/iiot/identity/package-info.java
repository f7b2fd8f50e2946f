/**
 * Users, sessions, tokens and API keys; login and the security filter chain; the user directory and
 * session store behind tenancy's member endpoints ({@code MemberAccounts}, {@code MemberSessions}).
 * The modules it may use are declared here and checked by {@code ModularityTest}.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"audit", "shared", "tenancy"})
package io.insa.iiot.identity;
