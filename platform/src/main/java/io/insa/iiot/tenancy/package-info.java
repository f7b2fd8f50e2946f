/**
 * Tenants, memberships and invitations; tenant and member endpoints, the invitation e-mail, stats and
 * quotas; who may do what in a tenant (SPEC 3.3). The modules it may use are declared here and checked
 * by {@code ModularityTest}.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"audit", "shared"})
package io.insa.iiot.tenancy;
