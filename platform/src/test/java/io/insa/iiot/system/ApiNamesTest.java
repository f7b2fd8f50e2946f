package io.insa.iiot.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiNamesTest {

    static final class DeviceRequests {
        record Create() {}
    }

    static final class TenantRequests {
        record Create() {}
    }

    static final class Predictions {
        record Prediction() {}
    }

    static final class OpcUaConnectorController {
        record View() {}
    }

    static final class Condition {
        record Threshold() {}
    }

    static final class HealthController {}

    @Test
    void nestedTypesAreNamedWithTheSubjectOfTheirEnclosingType() {
        assertThat(ApiNames.schemaName(DeviceRequests.Create.class)).isEqualTo("DeviceCreate");
        assertThat(ApiNames.schemaName(TenantRequests.Create.class)).isEqualTo("TenantCreate");
        assertThat(ApiNames.schemaName(OpcUaConnectorController.View.class)).isEqualTo("OpcUaConnectorView");
        assertThat(ApiNames.schemaName(Condition.Threshold.class)).isEqualTo("ConditionThreshold");
        assertThat(ApiNames.schemaName(Predictions.Prediction.class)).isEqualTo("Prediction");
    }

    @Test
    void topLevelTypesKeepTheirName() {
        assertThat(ApiNames.schemaName(ApiNamesTest.class)).isEqualTo("ApiNamesTest");
        assertThat(ApiNames.schemaName(String.class)).isEqualTo("String");
    }

    @Test
    void operationIdsNameTheControllersSubject() {
        assertThat(ApiNames.operationId(OpcUaConnectorController.class, "create"))
                .isEqualTo("opcUaConnectorCreate");
        assertThat(ApiNames.operationId(DeviceRequests.class, "create")).isEqualTo("deviceCreate");
        assertThat(ApiNames.operationId(HealthController.class, "health")).isEqualTo("health");
    }
}
