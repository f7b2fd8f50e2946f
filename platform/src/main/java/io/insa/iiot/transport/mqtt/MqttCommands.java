package io.insa.iiot.transport.mqtt;

import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.device.DeviceIdentity;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Commands over MQTT, as devices of the ThingsBoard API expect them: a command is published to
 * {@code v1/devices/me/rpc/request/<n>} with a small per-connection number, and the device answers on
 * {@code v1/devices/me/rpc/response/<n>}. One instance per connection.
 */
final class MqttCommands {

    private final CommandChannels channels;
    private final Commands commands;
    private final AtomicInteger nextRequest = new AtomicInteger(1);
    private final Map<String, UUID> requests = new ConcurrentHashMap<>();
    private CommandChannels.Registration registration;

    MqttCommands(CommandChannels channels, Commands commands) {
        this.channels = channels;
        this.commands = commands;
    }

    /** The device subscribed: commands for it are handed to {@code publish(requestId, json)}. */
    synchronized void listen(DeviceIdentity device, BiConsumer<String, String> publish) {
        if (registration != null) {
            return;
        }
        registration = channels.register(device.deviceId(), command -> {
            String requestId = Integer.toString(nextRequest.getAndIncrement());
            if (!command.oneWay()) {
                requests.put(requestId, command.id());
            }
            publish.accept(requestId, command.json());
        });
    }

    void answered(DeviceIdentity device, String requestId, byte[] answer) {
        UUID command = requests.remove(requestId);
        if (command != null) {
            commands.respond(device.deviceId(), command, new String(answer, StandardCharsets.UTF_8));
        }
    }

    synchronized void stop(DeviceIdentity device) {
        if (registration != null) {
            registration.close();
            registration = null;
        }
    }
}
