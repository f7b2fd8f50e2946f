package io.insa.iiot.command;

import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;

/**
 * A command on its way to a device: {@code params} is JSON text. Transports deliver it as
 * {@code {"id": ..., "method": ..., "params": ...}}.
 */
public record DeviceCommand(UUID id, String method, String params, boolean oneWay) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The JSON a device receives. */
    public String json() {
        var body = JSON.createObjectNode().put("id", id.toString()).put("method", method);
        body.set("params", JSON.readTree(params));
        return JSON.writeValueAsString(body);
    }
}
