package io.insa.iiot.transport;

import io.insa.iiot.device.CertificateLogin;
import io.insa.iiot.device.DeviceCertificates;
import io.insa.iiot.device.DeviceCredentials;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.device.Gateways;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The device edge every transport adapter stands on, as Hono's protocol adapter base: who a device is
 * (access token, MQTT credentials, or a client certificate for the device it names), the session it
 * holds while connected, ended on any thread the moment its right to it ends (credentials revoked,
 * device deleted, certificate no longer trusted), and its presence. Adapters keep only their protocol:
 * decoding, answers and flow control.
 */
@Component
public class DeviceEdge {

    /** What a device presents to prove who it is. */
    public sealed interface Credentials permits AccessToken, MqttCredentials, ClientCertificate {}

    /** The device's access token (HTTP and CoAP paths, AMQP SASL PLAIN, MQTT username). */
    public record AccessToken(String token) implements Credentials {}

    /** MQTT CONNECT's fields: an access token as username, or the device's MQTT basic credentials. */
    public record MqttCredentials(String clientId, String username, String password) implements Credentials {}

    /**
     * A TLS client certificate chain (leaf first) for the device the client names (MQTT username or
     * client id, AMQP authzid or container id); checked by {@link DeviceCertificates}.
     */
    public record ClientCertificate(String claimed, X509Certificate[] chain) implements Credentials {}

    /**
     * An authenticated device.
     *
     * @param certificate the certificate that vouched for it, or null for token and MQTT credentials
     * @param stamp taken before the lookup: a change that lands between the lookup and the session's
     *     registration still ends the session
     */
    public record Login(DeviceIdentity device, CertificateLogin certificate, long stamp) {}

    /** A device's connection as the edge knows it: closing it ends its session and, with its last one, its presence. */
    public final class Connection implements AutoCloseable {
        private final DeviceIdentity device;
        private final DeviceSessions.Registration session;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Connection(DeviceIdentity device, DeviceSessions.Registration session) {
            this.device = device;
            this.session = session;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                session.close();
                connections.closed(device, lookups);
            }
        }
    }

    private static final Logger log = LoggerFactory.getLogger(DeviceEdge.class);

    private final DeviceCredentials deviceCredentials;
    private final Gateways gateways;
    private final DeviceCertificates certificates;
    private final DeviceSessions sessions;
    private final DeviceConnections connections;
    /** Lookups and presence writes wait for the database: never on an event loop. */
    private final ExecutorService lookups = Executors.newVirtualThreadPerTaskExecutor();

    DeviceEdge(
            DeviceCredentials deviceCredentials,
            Gateways gateways,
            DeviceCertificates certificates,
            DeviceSessions sessions,
            DeviceConnections connections) {
        this.deviceCredentials = deviceCredentials;
        this.gateways = gateways;
        this.certificates = certificates;
        this.sessions = sessions;
        this.connections = connections;
    }

    /** Looks the device up on a virtual thread; empty when the credentials name none (a failed lookup is logged). */
    public CompletableFuture<Optional<Login>> authenticate(Credentials credentials) {
        long stamp = sessions.stamp();
        return CompletableFuture.supplyAsync(() -> lookup(credentials, stamp), lookups)
                .exceptionally(e -> {
                    log.warn("device authentication failed: {}", e.toString(), e);
                    return Optional.empty();
                });
    }

    /** The same on the calling thread, for adapters whose requests run on virtual threads already. */
    public Optional<Login> authenticateHere(Credentials credentials) {
        return lookup(credentials, sessions.stamp());
    }

    private Optional<Login> lookup(Credentials credentials, long stamp) {
        return switch (credentials) {
            case AccessToken token ->
                deviceCredentials.authenticate(token.token()).map(d -> new Login(d, null, stamp));
            case MqttCredentials mqtt ->
                deviceCredentials
                        .authenticateMqtt(mqtt.clientId(), mqtt.username(), mqtt.password())
                        .map(d -> new Login(d, null, stamp));
            case ClientCertificate presented ->
                presented.chain() == null || presented.chain().length == 0
                        ? Optional.empty()
                        : certificates
                                .authenticate(presented.claimed(), presented.chain())
                                .map(login -> new Login(login.device(), login, stamp));
        };
    }

    /**
     * The device's connection opened: it is connected from its first open connection to the close of
     * its last, and {@code end} runs, on any thread, when its login stops holding.
     */
    public Connection connected(Login login, Runnable end) {
        connections.opened(login.device(), lookups);
        return new Connection(login.device(), session(login, end));
    }

    /**
     * A session that is not a connection (an HTTP long poll, a CoAP observation): {@code end} runs when
     * the login stops holding; closing it unregisters it.
     */
    public DeviceSessions.Registration session(Login login, Runnable end) {
        return login.certificate() != null
                ? sessions.certificateOf(login.certificate(), login.stamp(), end)
                : sessions.credentialsOf(login.device().deviceId(), login.stamp(), end);
    }

    /** Taken before a lookup whose session registers later (see {@link Login#stamp()}). */
    public long stamp() {
        return sessions.stamp();
    }

    /**
     * A gateway's sub-device, found or created on first sight within the tenant's device quota; waits
     * for the database. Throws the refusal (not the gateway's, another type, quota) as a problem.
     */
    public DeviceIdentity subDevice(DeviceIdentity gateway, String name, String type) {
        return gateways.gatewayDevice(gateway, name, type);
    }

    /**
     * The gateway's right to write for a sub-device, looked up after {@code stamp}: {@code end} runs when
     * it ends (the sub-device deleted, or given to another gateway or to none).
     */
    public DeviceSessions.Registration subDeviceAccess(UUID device, long stamp, Runnable end) {
        return sessions.subDevice(device, stamp, end);
    }

    /** A sub-device announced online by its gateway (presence only: it holds no connection of its own). */
    public void online(DeviceIdentity device) {
        connections.opened(device, lookups);
    }

    public void offline(DeviceIdentity device) {
        connections.closed(device, lookups);
    }
}
