package io.insa.iiot.transport.coap;

import io.insa.iiot.command.ClientRpc;
import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.device.DeviceAttributes;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.transport.AttributeSubscriptions;
import io.insa.iiot.transport.DeviceEdge;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * The CoAP device API (SPEC 5, CoAP column), on ThingsBoard's paths under {@code /api/v1/{token}}:
 * {@code telemetry} ({@link CoapUpload}), {@code attributes} ({@link CoapAttributes}: client
 * attributes up, attribute requests and Observe of shared attributes down) and {@code rpc}
 * ({@link CoapCommands}: commands by Observe, their answers, client-side RPC).
 */
final class CoapDeviceApi extends CoapResource {

    private final Resource tokenLevel;

    CoapDeviceApi(
            CoapUpload.Services services,
            Ingest ingest,
            DeviceEdge edge,
            CommandChannels channels,
            Commands commands,
            ClientRpc clientRpc,
            DeviceAttributes attributes,
            AttributeSubscriptions subscriptions) {
        super("v1");
        Resource telemetry = new CoapUpload("telemetry", ingest::telemetry, services);
        Resource attributeResource = new CoapAttributes(services, ingest, edge, attributes, subscriptions);
        Resource rpc = new CoapCommands(services.requests(), edge, channels, commands, clientRpc);
        this.tokenLevel = new CoapResource("token") {
            @Override
            public Resource getChild(String name) {
                return switch (name) {
                    case "telemetry" -> telemetry;
                    case "attributes" -> attributeResource;
                    case "rpc" -> rpc;
                    default -> null;
                };
            }
        };
    }

    /** Every path segment under /api/v1 is a device token; the resources below read it from the path. */
    @Override
    public Resource getChild(String token) {
        return tokenLevel;
    }
}
