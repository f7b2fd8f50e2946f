package io.insa.iiot.transport.amqp;

import io.insa.iiot.device.CertificateLogin;
import io.insa.iiot.device.DeviceCertificates;
import io.insa.iiot.device.DeviceCredentials;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.transport.DeviceSessions;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.sasl.ProtonSaslAuthenticator;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Transport;

/**
 * SASL for devices: PLAIN, whose user name is the device's access token (SPEC 5), and on TLS also
 * EXTERNAL, the client certificate ({@link DeviceCertificates}) for the device the authzid (EXTERNAL's
 * initial response) names. Without an authzid the device names itself by the container id of its
 * open frame, which comes after SASL: the chain is then attached and {@link AmqpTransport} decides at
 * open. The lookup runs off the event loop; the authenticated device is attached to the connection.
 */
final class DeviceSaslAuthenticator implements ProtonSaslAuthenticator {

    static final String PLAIN = "PLAIN";
    static final String EXTERNAL = "EXTERNAL";

    private final DeviceCredentials devices;
    private final DeviceCertificates certificates;
    private final DeviceSessions sessions;
    private final Executor blocking;
    private NetSocket socket;
    private Sasl sasl;
    private ProtonConnection connection;
    private Context context;
    private boolean succeeded;
    private boolean started;
    /** Set off the event loop by a certificate login, read on it after the lookup completed. */
    private volatile CertificateLogin certificate;

    DeviceSaslAuthenticator(
            DeviceCredentials devices, DeviceCertificates certificates, DeviceSessions sessions, Executor blocking) {
        this.devices = devices;
        this.certificates = certificates;
        this.sessions = sessions;
        this.blocking = blocking;
    }

    @Override
    public void init(NetSocket socket, ProtonConnection connection, Transport transport) {
        this.socket = socket;
        this.connection = connection;
        this.context = Vertx.currentContext();
        this.sasl = transport.sasl();
        sasl.server();
        sasl.allowSkip(false);
        if (socket.isSsl()) {
            sasl.setMechanisms(PLAIN, EXTERNAL); // EXTERNAL: the TLS client certificate
        } else {
            sasl.setMechanisms(PLAIN);
        }
    }

    @Override
    public void process(Handler<Boolean> completion) {
        if (started) {
            return;
        }
        String[] mechanisms = sasl.getRemoteMechanisms();
        if (mechanisms.length == 0) {
            completion.handle(false); // the client has not chosen yet
            return;
        }
        started = true;
        Supplier<Optional<DeviceIdentity>> lookup;
        if (EXTERNAL.equals(mechanisms[0]) && socket.isSsl()) {
            X509Certificate[] chain = presented();
            String authzid = initialResponse();
            if (authzid.isEmpty() && chain.length > 0) {
                // named by the container id of the open frame, which follows SASL
                connection.attachments().set(AmqpTransport.CERTIFICATE_CHAIN, X509Certificate[].class, chain);
                succeeded = true;
                sasl.done(Sasl.SaslOutcome.PN_SASL_OK);
                completion.handle(true);
                return;
            }
            lookup = () -> certificates.authenticate(authzid, chain).map(login -> {
                certificate = login;
                return login.device();
            });
        } else if (PLAIN.equals(mechanisms[0]) && sasl.pending() > 0) {
            byte[] response = new byte[sasl.pending()];
            sasl.recv(response, 0, response.length);
            String token = username(response);
            lookup = () -> devices.authenticate(token);
        } else {
            sasl.done(Sasl.SaslOutcome.PN_SASL_AUTH);
            completion.handle(true);
            return;
        }
        long stamp = sessions.stamp();
        CompletableFuture.supplyAsync(lookup, blocking)
                .exceptionally(e -> Optional.empty())
                .thenAccept(device -> context.runOnContext(v -> {
                    if (device.isPresent()) {
                        connection.attachments().set(AmqpTransport.DEVICE, DeviceIdentity.class, device.get());
                        connection.attachments().set(AmqpTransport.STAMP, Long.class, stamp);
                        if (certificate != null) {
                            connection
                                    .attachments()
                                    .set(AmqpTransport.CERTIFICATE, CertificateLogin.class, certificate);
                        }
                        succeeded = true;
                        sasl.done(Sasl.SaslOutcome.PN_SASL_OK);
                    } else {
                        sasl.done(Sasl.SaslOutcome.PN_SASL_AUTH);
                    }
                    completion.handle(true);
                }));
    }

    /** EXTERNAL's initial response: the authorization identity the client asks for, or empty. */
    private String initialResponse() {
        if (sasl.pending() <= 0) {
            return "";
        }
        byte[] response = new byte[sasl.pending()];
        sasl.recv(response, 0, response.length);
        return new String(response, StandardCharsets.UTF_8);
    }

    /** The client's certificate chain, leaf first; empty when it sent none. */
    private X509Certificate[] presented() {
        try {
            return socket.peerCertificates().stream()
                    .filter(X509Certificate.class::isInstance)
                    .map(X509Certificate.class::cast)
                    .toArray(X509Certificate[]::new);
        } catch (SSLPeerUnverifiedException none) {
            return new X509Certificate[0];
        }
    }

    @Override
    public boolean succeeded() {
        return succeeded;
    }

    /** PLAIN's message is [authzid] NUL authcid NUL passwd; the authcid is the token. */
    static String username(byte[] response) {
        int first = indexOf(response, 0);
        int second = first < 0 ? -1 : indexOf(response, first + 1);
        if (first < 0 || second < 0) {
            return "";
        }
        return new String(Arrays.copyOfRange(response, first + 1, second), StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
