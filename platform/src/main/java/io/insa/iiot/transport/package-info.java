/**
 * Device transports: each decodes its protocol, authenticates the device, hands the message to the
 * ingest service and maps the outcome to the protocol's acknowledgement (SPEC 5).
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"command", "device", "ingest", "shared"})
package io.insa.iiot.transport;
