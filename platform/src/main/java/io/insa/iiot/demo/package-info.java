/**
 * The demo plant ({@code ./iiot start --demo}): a tenant "Demo Plant" with simulated pumps, motors and
 * tanks that publish over the platform's own MQTT listener, an OPC UA line read by the platform's OPC UA
 * connector, rules on their faults and anomaly detection. Everything is set up through the public REST
 * API as the demo's administrator, the way a user's script would; only the tenant and that
 * administrator are created in-process, since no one can sign in yet.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"identity", "shared"})
package io.insa.iiot.demo;
