package io.insa.iiot.transport.coap;

import io.insa.iiot.command.ClientRpc;
import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.device.DeviceAttributes;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestPressure;
import io.insa.iiot.transport.AttributeSubscriptions;
import io.insa.iiot.transport.DeviceEdge;
import io.insa.iiot.transport.InFlight;
import io.insa.iiot.transport.TransportMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The CoAP server (Eclipse Californium): a UDP endpoint and, when configured, a DTLS one (Scandium).
 */
@Component
class CoapTransport implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CoapTransport.class);

    static {
        // Californium's configuration modules, registered once; no Californium3.properties file is written
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
    }

    private final CoapSettings settings;
    private final DeviceEdge edge;
    private final Ingest ingest;
    private final IngestPressure pressure;
    private final CommandChannels commandChannels;
    private final ClientRpc clientRpc;
    private final DeviceAttributes attributes;
    private final AttributeSubscriptions subscriptions;
    private final Commands commands;
    private final TransportMetrics metrics;
    private final InFlight inFlight = new InFlight();
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    private CoapServer server;
    private CoapEndpoint plain;
    private CoapEndpoint secure;

    CoapTransport(
            CoapSettings settings,
            DeviceEdge edge,
            Ingest ingest,
            IngestPressure pressure,
            CommandChannels commandChannels,
            Commands commands,
            ClientRpc clientRpc,
            DeviceAttributes attributes,
            AttributeSubscriptions subscriptions,
            MeterRegistry registry) {
        this.clientRpc = clientRpc;
        this.attributes = attributes;
        this.subscriptions = subscriptions;
        this.metrics = new TransportMetrics(registry, "coap", null);
        this.commandChannels = commandChannels;
        this.commands = commands;
        this.settings = settings;
        this.edge = edge;
        this.ingest = ingest;
        this.pressure = pressure;
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
        if (settings.dtls() != null && settings.dtls().enabled()) {
            secure = CoapEndpoint.builder()
                    .setConfiguration(config)
                    .setConnector(new DTLSConnector(dtls(config)))
                    .build();
            server.addEndpoint(secure);
        }
        CoapResource api = new CoapResource("api");
        api.add(new CoapDeviceApi(
                new CoapUpload.Services(new CoapRequests(edge, ingest, metrics), pressure, blocking, metrics, inFlight),
                ingest,
                edge,
                commandChannels,
                commands,
                clientRpc,
                attributes,
                subscriptions));
        server.add(api);
        server.start();
        log.info(
                "CoAP listening on udp {}:{}{}",
                settings.host(),
                port(),
                secure == null ? "" : ", DTLS on " + dtlsPort());
    }

    /** The server side of DTLS: certificate from the keystore; devices still authenticate with the token in the path. */
    private DtlsConnectorConfig dtls(Configuration config) {
        try (InputStream in = Files.newInputStream(Path.of(settings.dtls().keystore()))) {
            char[] password = settings.dtls().keystorePassword().toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            String alias = store.aliases().nextElement();
            Certificate[] chain = store.getCertificateChain(alias);
            return DtlsConnectorConfig.builder(new Configuration(config))
                    .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY)
                    .set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.NONE)
                    .setAddress(new InetSocketAddress(
                            settings.host(), settings.dtls().port()))
                    .setCertificateIdentityProvider(new SingleCertificateProvider(
                            (PrivateKey) store.getKey(alias, password),
                            Arrays.copyOf(chain, chain.length, X509Certificate[].class)))
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot load the DTLS keystore " + settings.dtls().keystore(), e);
        }
    }

    int dtlsPort() {
        return secure == null ? -1 : secure.getAddress().getPort();
    }

    int port() {
        return plain.getAddress().getPort();
    }

    @Override
    public void stop() {
        inFlight.awaitIdle(Duration.ofSeconds(10)); // admitted requests are answered before the endpoints stop
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
