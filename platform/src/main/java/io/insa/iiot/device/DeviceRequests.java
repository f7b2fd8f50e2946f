package io.insa.iiot.device;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Request bodies of the device API. */
final class DeviceRequests {

    private DeviceRequests() {}

    record Create(
            @NotBlank @Size(max = 200) String name,
            @Size(min = 1, max = 100) String type,
            @Size(max = 50) Map<@Size(min = 1, max = 100) String, @Size(max = 500) String> labels,
            @Valid MqttCredentials mqtt) {}

    record Update(
            @Size(min = 1, max = 200) @Pattern(regexp = ".*\\S.*", message = "must not be blank")
            String name,

            @Size(min = 1, max = 100) String type,
            @Size(max = 50) Map<@Size(min = 1, max = 100) String, @Size(max = 500) String> labels) {}

    /** MQTT basic credentials: username and password, optionally bound to one client id. */
    record MqttCredentials(
            @Size(min = 1, max = 128) String clientId,
            @NotBlank @Size(max = 128) String username,
            @NotBlank @Size(min = 8, max = 128) String password) {}

    /** The gateway that may write for a device; null: none. */
    record GatewayAssignment(UUID gatewayId) {}

    record Bulk(@NotEmpty @Size(max = 10_000) List<@Valid Create> devices) {}
}
