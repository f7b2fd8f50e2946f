package io.insa.iiot.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.device.SharedAttributesChanged;
import io.insa.iiot.shared.TenantId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Several shared attribute changes sent as one update: the later value or removal of a key wins. */
class AttributeMessagesMergeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final UUID DEVICE = UUID.randomUUID();

    @Test
    void laterValuesAndRemovalsWinAndARemovedKeySetAgainIsNoLongerDeleted() {
        JsonNode merged = JSON.readTree(AttributeMessages.update(List.of(
                change(Map.of("interval", "30", "mode", "\"eco\""), List.of()),
                change(Map.of("interval", "15"), List.of("mode", "old")),
                change(Map.of("old", "{\"a\":1}"), List.of()))));
        assertThat(merged.get("interval").asInt()).isEqualTo(15);
        assertThat(merged.has("mode")).isFalse();
        assertThat(merged.at("/old/a").asInt()).isEqualTo(1);
        assertThat(merged.get("deleted").valueStream().map(JsonNode::asString)).containsExactly("mode");
    }

    @Test
    void noChangeIsAnEmptyObject() {
        assertThat(new String(AttributeMessages.update(List.of()))).isEqualTo("{}");
    }

    private static SharedAttributesChanged change(Map<String, String> updated, List<String> deleted) {
        return new SharedAttributesChanged(new TenantId(UUID.randomUUID()), DEVICE, "boiler", null, updated, deleted);
    }
}
