package io.insa.iiot.rules;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.insa.iiot.device.DeviceIdentity;
import java.util.List;
import java.util.UUID;

/** Which devices a rule watches. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = RuleScope.All.class, name = "all"),
    @JsonSubTypes.Type(value = RuleScope.DeviceType.class, name = "device_type"),
    @JsonSubTypes.Type(value = RuleScope.Devices.class, name = "devices")
})
public sealed interface RuleScope {

    boolean covers(DeviceIdentity device);

    record All() implements RuleScope {
        @Override
        public boolean covers(DeviceIdentity device) {
            return true;
        }
    }

    record DeviceType(String deviceType) implements RuleScope {
        @Override
        public boolean covers(DeviceIdentity device) {
            return deviceType.equals(device.type());
        }
    }

    record Devices(List<UUID> deviceIds) implements RuleScope {
        @Override
        public boolean covers(DeviceIdentity device) {
            return deviceIds.contains(device.deviceId());
        }
    }
}
