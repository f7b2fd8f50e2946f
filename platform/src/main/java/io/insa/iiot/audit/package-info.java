/**
 * The audit trail: {@code audit_log}, its API and retention. The modules it may use are declared here and checked by {@code ModularityTest}.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"shared"})
package io.insa.iiot.audit;
