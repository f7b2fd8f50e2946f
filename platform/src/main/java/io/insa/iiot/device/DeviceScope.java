package io.insa.iiot.device;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.insa.iiot.shared.JsonFields;
import io.insa.iiot.shared.ProblemException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** Which devices of a tenant a feature applies to (a rule, anomaly detection): all, a type, a list. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = DeviceScope.All.class, name = "all"),
    @JsonSubTypes.Type(value = DeviceScope.DeviceType.class, name = "device_type"),
    @JsonSubTypes.Type(value = DeviceScope.Devices.class, name = "devices")
})
public sealed interface DeviceScope {

    /** Most devices a scope may list. */
    int MAX_DEVICES = 1000;

    boolean covers(DeviceIdentity device);

    /** Reads a scope strictly; mistakes are 400s naming {@code field} or one of its members. */
    static DeviceScope parse(JsonNode node, String field) {
        if (!node.isObject()) {
            throw ProblemException.badRequest(field, "must be an object with a type");
        }
        String at = field + ".";
        return switch (JsonFields.text(node, "type", at + "type", 20)) {
            case "all" -> {
                JsonFields.unknownFields(node, Set.of("type"), at);
                yield new All();
            }
            case "device_type" -> {
                JsonFields.unknownFields(node, Set.of("type", "device_type"), at);
                yield new DeviceType(JsonFields.text(node, "device_type", at + "device_type", 100));
            }
            case "devices" -> {
                JsonFields.unknownFields(node, Set.of("type", "device_ids"), at);
                JsonNode ids = JsonFields.required(node, "device_ids", at + "device_ids");
                if (!ids.isArray() || ids.isEmpty() || ids.size() > MAX_DEVICES) {
                    throw ProblemException.badRequest(
                            at + "device_ids", "must be a list of 1 to " + MAX_DEVICES + " device ids");
                }
                Set<UUID> devices = new LinkedHashSet<>();
                for (int i = 0; i < ids.size(); i++) {
                    devices.add(JsonFields.uuid(ids.get(i), at + "device_ids[" + i + "]"));
                }
                yield new Devices(List.copyOf(devices));
            }
            default -> throw ProblemException.badRequest(at + "type", "must be one of all, device_type, devices");
        };
    }

    record All() implements DeviceScope {
        @Override
        public boolean covers(DeviceIdentity device) {
            return true;
        }
    }

    record DeviceType(String deviceType) implements DeviceScope {
        @Override
        public boolean covers(DeviceIdentity device) {
            return deviceType.equals(device.type());
        }
    }

    record Devices(List<UUID> deviceIds) implements DeviceScope {
        @Override
        public boolean covers(DeviceIdentity device) {
            return deviceIds.contains(device.deviceId());
        }
    }
}
