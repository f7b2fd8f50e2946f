package io.insa.iiot.demo;

import io.insa.iiot.demo.PlantModel.Machine;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo's pumps, motors and tanks as MQTT clients of the platform's own listener, each with its
 * access token as the username (SPEC 5), publishing {@code {"ts", "values"}} at QoS 1 on
 * {@code v1/devices/me/telemetry} every interval, spread over it. A dropped connection is retried.
 */
final class DemoDevices implements AutoCloseable {

    static final String TOPIC = "v1/devices/me/telemetry";
    private static final Logger log = LoggerFactory.getLogger(DemoDevices.class);
    private static final Duration RECONNECT = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final JsonMapper json;
    private final PlantModel model;
    private final String host;
    private final int port;
    private final Duration interval;
    private final List<Simulated> devices = new ArrayList<>();
    private volatile boolean closed;

    DemoDevices(Vertx vertx, JsonMapper json, PlantModel model, String host, int port, Duration interval) {
        this.vertx = vertx;
        this.json = json;
        this.model = model;
        this.host = host;
        this.port = port;
        this.interval = interval;
    }

    void start(Map<Machine, String> tokens) {
        tokens.forEach((machine, token) -> {
            Simulated device = new Simulated(machine, token);
            devices.add(device);
            device.connect();
        });
    }

    /** Disconnects every device and cancels their timers; nothing of the demo publishes afterwards. */
    @Override
    public void close() {
        closed = true;
        devices.forEach(Simulated::stop);
    }

    private final class Simulated {
        private final Machine machine;
        private final MqttClient client;
        private long timer = -1;

        Simulated(Machine machine, String token) {
            this.machine = machine;
            this.client = MqttClient.create(
                    vertx,
                    new MqttClientOptions()
                            .setClientId(machine.name())
                            .setUsername(token)
                            .setKeepAliveInterval(30)
                            .setAutoKeepAlive(true));
            client.closeHandler(v -> {
                cancelTimer();
                if (!closed) {
                    vertx.setTimer(RECONNECT.toMillis(), id -> connect());
                }
            });
        }

        void connect() {
            if (closed) {
                return;
            }
            client.connect(port, host).onComplete(connected -> {
                if (connected.failed()) {
                    log.warn(
                            "demo device {} could not connect: {}",
                            machine.name(),
                            connected.cause().getMessage());
                    vertx.setTimer(RECONNECT.toMillis(), id -> connect());
                    return;
                }
                long offset = 1 + ThreadLocalRandom.current().nextLong(interval.toMillis());
                vertx.setTimer(offset, first -> {
                    publish();
                    synchronized (this) {
                        if (!closed && client.isConnected()) {
                            timer = vertx.setPeriodic(interval.toMillis(), id -> publish());
                        }
                    }
                });
            });
        }

        private void publish() {
            if (closed || !client.isConnected()) {
                return;
            }
            Instant now = Instant.now();
            byte[] payload =
                    json.writeValueAsBytes(Map.of("ts", now.toEpochMilli(), "values", model.read(machine, now)));
            client.publish(TOPIC, Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, false);
        }

        private synchronized void cancelTimer() {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }

        void stop() {
            cancelTimer();
            if (client.isConnected()) {
                client.disconnect();
            }
        }
    }
}
