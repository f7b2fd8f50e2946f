package io.insa.iiot.demo;

import io.insa.iiot.identity.TenantSetup;
import io.insa.iiot.shared.DataDirectory;
import io.insa.iiot.shared.OutboundExemptions;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.ZoneId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the demo plant while the server runs ({@code insa.demo.enabled=true}): once the server is ready,
 * starts the OPC UA line, sets the tenant up through the API and connects the MQTT devices; on stop,
 * first of all, disconnects them, disables the connector and stops the line, so nothing of the demo
 * goes on. A failed setup is logged and leaves the platform itself running. The bean always exists and
 * the setting is read when it starts: with Spring AOT the beans are chosen at build time, where a
 * condition on the setting would be decided once for every start.
 */
@Component
class DemoPlant implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DemoPlant.class);

    private final DemoSettings settings;
    private final TenantSetup tenants;
    private final DataDirectory dataDir;
    private final Environment environment;
    private final Vertx vertx;
    private final JsonMapper json;
    private final Clock clock;
    private final OutboundExemptions exemptions;
    private volatile boolean running;
    private DemoSetup setup;
    private DemoLine line;
    private DemoDevices devices;

    DemoPlant(
            DemoSettings settings,
            TenantSetup tenants,
            DataDirectory dataDir,
            Environment environment,
            Vertx vertx,
            JsonMapper json,
            Clock clock,
            OutboundExemptions exemptions) {
        this.settings = settings;
        this.tenants = tenants;
        this.dataDir = dataDir;
        this.environment = environment;
        this.vertx = vertx;
        this.json = json;
        this.clock = clock;
        this.exemptions = exemptions;
    }

    @EventListener(ApplicationReadyEvent.class)
    void serverReady() {
        if (settings.enabled()) {
            Thread.ofVirtual().name("demo-plant-setup").start(this::launch);
        }
    }

    private synchronized void launch() {
        if (!running) {
            return;
        }
        int mqttPort = environment.getProperty("insa.mqtt.port", Integer.class, 0);
        if (!environment.getProperty("insa.mqtt.enabled", Boolean.class, true) || mqttPort == 0) {
            log.error("the demo plant publishes over MQTT: it needs insa.mqtt.enabled=true and a fixed insa.mqtt.port");
            return;
        }
        try {
            PlantModel model = new PlantModel(clock.instant(), ZoneId.systemDefault(), clock.millis());
            line = DemoLine.start(settings.opcuaPort(), model);
            setup = new DemoSetup(
                    settings,
                    tenants,
                    dataDir,
                    new DemoApi("http://127.0.0.1:" + environment.getProperty("local.server.port", "8080"), json),
                    exemptions);
            var tokens = setup.ensure(line);
            devices = new DemoDevices(vertx, json, model, mqttHost(), mqttPort, settings.interval());
            devices.start(tokens);
            log.info(
                    "demo plant running: {} MQTT devices every {}, OPC UA line at {}",
                    tokens.size(),
                    settings.interval(),
                    line.endpointUrl());
        } catch (Exception e) {
            log.error("the demo plant could not start: {}", e.getMessage(), e);
            shutDown();
        }
    }

    /** The MQTT listener as a client reaches it: loopback when it listens on every address. */
    private String mqttHost() {
        String host = environment.getProperty("insa.mqtt.host", "0.0.0.0");
        return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    }

    @Override
    public synchronized void start() {
        running = settings.enabled();
    }

    @Override
    public synchronized void stop() {
        running = false;
        shutDown();
    }

    private void shutDown() {
        if (devices != null) {
            devices.close();
            devices = null;
        }
        if (setup != null) {
            try {
                setup.disableConnector();
            } catch (RuntimeException e) {
                log.warn("the demo's OPC UA connector could not be disabled: {}", e.getMessage());
            }
            setup = null;
        }
        if (line != null) {
            try {
                line.close();
            } catch (Exception e) {
                log.warn("the demo's OPC UA line did not stop cleanly: {}", e.getMessage());
            }
            line = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
