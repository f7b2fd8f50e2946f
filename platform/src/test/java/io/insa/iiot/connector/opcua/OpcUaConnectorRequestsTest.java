package io.insa.iiot.connector.opcua;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/** The documented request bodies say what ConnectorDefinition reads: the same fields, in the same shapes. */
class OpcUaConnectorRequestsTest {

    private static final JsonMapper API_JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    @Test
    void theBodiesHaveTheFieldsOfTheDefinition() {
        assertThat(names(OpcUaConnectorRequests.Create.class)).isEqualTo(names(ConnectorDefinition.class));
        assertThat(names(OpcUaConnectorRequests.Update.class)).isEqualTo(names(ConnectorDefinition.class));
        assertThat(names(OpcUaConnectorRequests.Login.class)).isEqualTo(names(OpcUaConnector.Auth.class));
        assertThat(names(OpcUaConnectorRequests.Node.class)).isEqualTo(names(OpcUaConnector.Mapping.class));
    }

    @Test
    void aBodyWrittenAsDocumentedIsReadAsWritten() {
        var body = new OpcUaConnectorRequests.Create(
                "Line 1 PLC",
                "opc.tcp://plc.example:4840/server",
                "Basic256Sha256",
                "SignAndEncrypt",
                new OpcUaConnectorRequests.Login("username", "insa", "secret"),
                false,
                250,
                List.of(new OpcUaConnectorRequests.Node(
                        "ns=2;s=Line1.Temperature",
                        "line-1",
                        "temperature",
                        100,
                        new OpcUaConnector.Deadband("percent", 5),
                        2.0,
                        -1.0)));

        ConnectorDefinition read = ConnectorDefinition.parse(API_JSON.valueToTree(body), null);

        assertThat(read)
                .isEqualTo(new ConnectorDefinition(
                        "Line 1 PLC",
                        "opc.tcp://plc.example:4840/server",
                        "Basic256Sha256",
                        "SignAndEncrypt",
                        new OpcUaConnector.Auth("username", "insa", "secret"),
                        false,
                        250,
                        List.of(new OpcUaConnector.Mapping(
                                "ns=2;s=Line1.Temperature",
                                "line-1",
                                "temperature",
                                100,
                                new OpcUaConnector.Deadband("percent", 5),
                                2.0,
                                -1.0))));
    }

    private static List<String> names(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents())
                .map(RecordComponent::getName)
                .toList();
    }
}
