package io.insa.iiot.connector.opcua.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import io.insa.iiot.connector.opcua.OpcUaConnector;
import io.insa.iiot.shared.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** A mapping's conversions without a server: node values into points, written values back into the node's type. */
class ValueMappingTest {

    private static final Instant SOURCE = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant SERVER = Instant.parse("2026-12-01T10:00:01Z");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aWholeNumberStaysWholeUnscaledAndBecomesADecimalScaled() {
        assertThat(value(mapping(1.0, 0.0), 42)).isEqualTo(42L);
        assertThat(value(mapping(0.5, 1.0), 42)).isEqualTo(22.0);
        assertThat(value(mapping(1.0, 0.0), 2.5f)).isEqualTo(2.5);
        // Milo's unsigned types are numbers like the others
        assertThat(value(mapping(1.0, 0.0), uint(7))).isEqualTo(7L);
        assertThat(value(mapping(2.0, 0.0), uint(7))).isEqualTo(14.0);
        assertThat(value(mapping(1.0, 0.0), true)).isEqualTo(true);
        assertThat(value(mapping(1.0, 0.0), "tick-1")).isEqualTo("tick-1");
    }

    @Test
    void arraysAndEmptyValuesAreNotMapped() {
        OpcUaConnector.Mapping mapping = mapping(1.0, 0.0);
        StatusCode good = StatusCode.GOOD;
        assertThat(ValueMapping.point(mapping, new DataValue(new Variant(new Integer[] {1, 2})), good))
                .isEmpty();
        assertThat(ValueMapping.point(mapping, new DataValue(Variant.NULL_VALUE), good))
                .isEmpty();
    }

    @Test
    void aPointIsTimedByTheSourceElseTheServerAndKeepsAnUncertainStatus() {
        OpcUaConnector.Mapping mapping = mapping(1.0, 0.0);
        ValueMapping.Point both = ValueMapping.point(
                        mapping,
                        new DataValue(new Variant(1), StatusCode.UNCERTAIN, new DateTime(SOURCE), new DateTime(SERVER)),
                        StatusCode.UNCERTAIN)
                .orElseThrow();
        assertThat(both).isEqualTo(new ValueMapping.Point("temperature", SOURCE, 1L, true));
        ValueMapping.Point serverOnly = ValueMapping.point(
                        mapping,
                        new DataValue(new Variant(1), StatusCode.GOOD, null, new DateTime(SERVER)),
                        StatusCode.GOOD)
                .orElseThrow();
        assertThat(serverOnly.ts()).isEqualTo(SERVER);
        assertThat(serverOnly.uncertain()).isFalse();
    }

    @Test
    void aWrittenNumberTakesTheNodesTypeWithTheScalingUndone() {
        OpcUaConnector.Mapping mapping = mapping(2.0, 1.0);
        assertThat(ValueMapping.typed(0, 42.0, mapping)).isEqualTo(21);
        assertThat(ValueMapping.typed(0.0f, 42.0, mapping)).isEqualTo(20.5f);
        assertThat(ValueMapping.typed(0.0, 42L, mapping)).isEqualTo(20.5);
        assertThat(ValueMapping.typed((short) 0, 5L, mapping)).isEqualTo((short) 2);
        assertThat(ValueMapping.typed(null, 42L, mapping)).isEqualTo(42L);
        assertThat(ValueMapping.typed(0, "on", mapping)).isEqualTo("on");
    }

    @Test
    void aCommandsValueIsReadAsBooleanWholeNumberNumberOrText() {
        assertThat(ValueMapping.plain(JSON.readTree("true"))).isEqualTo(true);
        assertThat(ValueMapping.plain(JSON.readTree("42"))).isEqualTo(42L);
        assertThat(ValueMapping.plain(JSON.readTree("4.5"))).isEqualTo(4.5);
        assertThat(ValueMapping.plain(JSON.readTree("\"auto\""))).isEqualTo("auto");
    }

    @Test
    void aKeyIsWrittenThroughTheMappingOfItsDevice() {
        OpcUaConnector.Mapping line1 = new OpcUaConnector.Mapping("ns=2;s=A", "line-1", "setpoint", 1000, null, 1, 0);
        OpcUaConnector.Mapping line2 = new OpcUaConnector.Mapping("ns=2;s=B", "line-2", "setpoint", 1000, null, 1, 0);
        OpcUaConnector connector = connector(List.of(line1, line2));
        assertThat(ValueMapping.of(connector, "line-2", "setpoint")).contains(line2);
        assertThat(ValueMapping.of(connector, "line-2", "speed")).isEmpty();
        assertThat(ValueMapping.of(connector, "line-3", "setpoint")).isEmpty();
    }

    private static Object value(OpcUaConnector.Mapping mapping, Object raw) {
        return ValueMapping.point(mapping, new DataValue(new Variant(raw)), StatusCode.GOOD)
                .orElseThrow()
                .value();
    }

    private static OpcUaConnector.Mapping mapping(double scale, double offset) {
        return new OpcUaConnector.Mapping("ns=2;s=T", "line-1", "temperature", 1000, null, scale, offset);
    }

    private static OpcUaConnector connector(List<OpcUaConnector.Mapping> mappings) {
        return new OpcUaConnector(
                UUID.randomUUID(),
                new TenantId(UUID.randomUUID()),
                "line",
                "opc.tcp://127.0.0.1:4840",
                "None",
                "None",
                new OpcUaConnector.Auth("anonymous", null, null),
                true,
                1000,
                mappings,
                null,
                SOURCE,
                SOURCE);
    }
}
