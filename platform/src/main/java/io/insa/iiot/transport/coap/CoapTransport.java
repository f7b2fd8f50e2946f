package io.insa.iiot.transport.coap;

import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.device.Devices;
import io.insa.iiot.ingest.IngestService;
import io.insa.iiot.transport.TransportMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The CoAP server (Eclipse Californium) on UDP. The DTLS listener (Scandium) is not there yet: a
 * first attempt with a certificate from a PKCS#12 keystore failed its handshake test.
 */
@Component
class CoapTransport implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CoapTransport.class);

    static {
        // Californium's configuration modules, registered once; no Californium3.properties file is written
        CoapConfig.register();
        UdpConfig.register();
    }

    private final CoapSettings settings;
    private final Devices devices;
    private final IngestService ingest;
    private final CommandChannels commandChannels;
    private final Commands commands;
    private final TransportMetrics metrics;
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    private CoapServer server;
    private CoapEndpoint plain;

    CoapTransport(
            CoapSettings settings,
            Devices devices,
            IngestService ingest,
            CommandChannels commandChannels,
            Commands commands,
            MeterRegistry registry) {
        this.metrics = new TransportMetrics(registry, "coap", null);
        this.commandChannels = commandChannels;
        this.commands = commands;
        this.settings = settings;
        this.devices = devices;
        this.ingest = ingest;
    }

    @Override
    public void start() {
        if (!settings.enabled()) {
            return;
        }
        Configuration config = Configuration.createStandardWithoutFile();
        server = new CoapServer(config);
        plain = CoapEndpoint.builder()
                .setConfiguration(config)
                .setInetSocketAddress(new InetSocketAddress(settings.host(), settings.port()))
                .build();
        server.addEndpoint(plain);
        CoapResource api = new CoapResource("api");
        api.add(new CoapDeviceApi(devices, ingest, blocking, commandChannels, commands, metrics));
        server.add(api);
        server.start();
        log.info("CoAP listening on udp {}:{}", settings.host(), port());
    }

    int port() {
        return plain.getAddress().getPort();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
            server.destroy();
            server = null;
        }
        blocking.shutdown();
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }
}
