package io.insa.iiot.command;

import java.util.UUID;

/**
 * A command on its way to a device: {@code params} is JSON text. Transports deliver it as
 * {@code {"id": ..., "method": ..., "params": ...}}.
 */
public record DeviceCommand(UUID id, String method, String params, boolean oneWay) {

    /** The JSON a device receives. */
    public String json() {
        return "{\"id\":\"" + id + "\",\"method\":" + quote(method) + ",\"params\":" + params + "}";
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
