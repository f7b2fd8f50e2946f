/**
 * What every feature shares: the tenant context of a transaction, the authenticated caller, ids, the
 * error format and the list envelope. Nothing here knows about a feature.
 */
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package io.insa.iiot.shared;
