package io.insa.iiot.connector.opcua;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.RequiredMode;
import java.util.List;

/**
 * The request bodies of the connector API as its description shows them. The handlers read the JSON itself, through
 * {@link ConnectorDefinition}: strictly, every mistake a 400 naming the field, and a PATCH merged field by field into
 * the stored connector; these records say what that reads (ConnectorRequestsTest holds the two together).
 */
final class OpcUaConnectorRequests {

    private OpcUaConnectorRequests() {}

    record Create(
            @Schema(requiredMode = RequiredMode.REQUIRED, maxLength = 200, description = "unique in the tenant")
            String name,

            @Schema(
                    requiredMode = RequiredMode.REQUIRED,
                    maxLength = 2000,
                    example = "opc.tcp://plc.example:4840/server",
                    description = "opc.tcp://host:port/path, on an address insa.connectors.opcua allows")
            String endpointUrl,

            @Schema(
                    allowableValues = {"None", "Basic256Sha256", "Aes128_Sha256_RsaOaep", "Aes256_Sha256_RsaPss"},
                    defaultValue = "None")
            String securityPolicy,

            @Schema(
                    allowableValues = {"None", "Sign", "SignAndEncrypt"},
                    defaultValue = "None",
                    description = "None exactly when security_policy is None")
            String securityMode,

            @Schema(description = Login.WHO) Login auth,
            @Schema(defaultValue = "true") Boolean enabled,

            @Schema(minimum = "10", maximum = "600000", defaultValue = "1000")
            Integer publishingIntervalMs,

            @ArraySchema(maxItems = ConnectorDefinition.MAX_MAPPINGS, arraySchema = @Schema(description = Node.WHAT))
            List<Node> mappings) {}

    /** A partial update: the fields it names replace the stored ones. */
    record Update(
            @Schema(maxLength = 200) String name,

            @Schema(
                    maxLength = 2000,
                    description = "a new endpoint is checked against insa.connectors.opcua again; the stored"
                            + " password and trusted server certificate do not follow it")
            String endpointUrl,

            @Schema(allowableValues = {"None", "Basic256Sha256", "Aes128_Sha256_RsaOaep", "Aes256_Sha256_RsaPss"})
            String securityPolicy,

            @Schema(allowableValues = {"None", "Sign", "SignAndEncrypt"})
            String securityMode,

            @Schema(description = Login.WHO) Login auth,
            Boolean enabled,
            @Schema(minimum = "10", maximum = "600000") Integer publishingIntervalMs,

            @ArraySchema(
                    maxItems = ConnectorDefinition.MAX_MAPPINGS,
                    arraySchema = @Schema(description = "replaces all mappings; " + Node.WHAT))
            List<Node> mappings) {}

    /** Who the platform is to the server. */
    record Login(
            @Schema(
                    requiredMode = RequiredMode.REQUIRED,
                    allowableValues = {"anonymous", "username", "certificate"})
            String type,

            @Schema(maxLength = 200, description = "with type username")
            String username,

            @Schema(
                    maxLength = 500,
                    description = "with type username; left out, the stored one is kept while endpoint_url"
                            + " stays the same")
            String password) {

        static final String WHO = "anonymous when left out; certificate logs in with the tenant's client certificate";
    }

    /** A node that feeds a device's key. */
    record Node(
            @Schema(requiredMode = RequiredMode.REQUIRED, maxLength = 1000, example = "ns=2;s=Line1.Temperature")
            String nodeId,

            @Schema(
                    requiredMode = RequiredMode.REQUIRED,
                    maxLength = 200,
                    description = "created on its first value (type opcua), within the tenant's max_devices")
            String deviceName,

            @Schema(requiredMode = RequiredMode.REQUIRED, maxLength = 255)
            String key,

            @Schema(minimum = "0", maximum = "3600000", defaultValue = "1000")
            Integer samplingIntervalMs,

            @Schema(
                    description = "type absolute (in the value's unit) or percent (of the variable's EU range, at"
                            + " most 100), value 0 or more: values within it of the last one are not stored")
            OpcUaConnector.Deadband deadband,

            @Schema(defaultValue = "1", description = "the value stored is value * scale + offset")
            Double scale,

            @Schema(defaultValue = "0") Double offset) {

        static final String WHAT =
                "OPC UA variables and the device keys they feed, at most " + ConnectorDefinition.MAX_MAPPINGS;
    }
}
