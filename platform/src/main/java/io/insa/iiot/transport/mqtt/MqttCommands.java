package io.insa.iiot.transport.mqtt;

import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.command.DeviceCommand;
import io.insa.iiot.device.DeviceIdentity;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Commands over one MQTT connection, as devices and gateways of the ThingsBoard API expect them: each
 * command gets a small per-connection request number, under which the device's answer comes back
 * ({@code v1/devices/me/rpc/response/<n>}, or a gateway's {@code {"id": <n>, ...}}). A connection
 * takes commands for its own device and, on a gateway, for the sub-devices connected through it.
 */
final class MqttCommands {

    private record Waiting(UUID deviceId, UUID commandId) {}

    private final CommandChannels channels;
    private final Commands commands;
    private final AtomicInteger nextRequest = new AtomicInteger(1);
    private final Map<String, Waiting> requests = new ConcurrentHashMap<>();
    private final Map<UUID, CommandChannels.Registration> registrations = new ConcurrentHashMap<>();

    MqttCommands(CommandChannels channels, Commands commands) {
        this.channels = channels;
        this.commands = commands;
    }

    /** Commands for the device are handed to {@code publish(requestNumber, command)} from now on. */
    void listen(DeviceIdentity device, BiConsumer<String, DeviceCommand> publish) {
        registrations.computeIfAbsent(
                device.deviceId(),
                id -> channels.register(id, command -> {
                    String requestId = Integer.toString(nextRequest.getAndIncrement());
                    if (!command.oneWay()) {
                        requests.put(requestId, new Waiting(id, command.id()));
                    }
                    publish.accept(requestId, command);
                }));
    }

    /** The device answered request {@code requestId}; an answer naming another device's request is dropped. */
    void answered(DeviceIdentity device, String requestId, byte[] answer) {
        Waiting waiting = requests.get(requestId);
        if (waiting != null && waiting.deviceId().equals(device.deviceId()) && requests.remove(requestId, waiting)) {
            commands.respond(device.deviceId(), waiting.commandId(), new String(answer, StandardCharsets.UTF_8));
        }
    }

    void stop(DeviceIdentity device) {
        CommandChannels.Registration registration = registrations.remove(device.deviceId());
        if (registration != null) {
            registration.close();
        }
    }

    void stopAll() {
        registrations.keySet().forEach(id -> {
            CommandChannels.Registration registration = registrations.remove(id);
            if (registration != null) {
                registration.close();
            }
        });
    }
}
