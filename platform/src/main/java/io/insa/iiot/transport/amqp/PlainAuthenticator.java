package io.insa.iiot.transport.amqp;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.device.Devices;
import io.insa.iiot.transport.DeviceSessions;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.sasl.ProtonSaslAuthenticator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Transport;

/**
 * SASL PLAIN for devices: the user name is the device's access token (SPEC 5). The lookup runs off the
 * event loop; the authenticated device is attached to the connection.
 */
final class PlainAuthenticator implements ProtonSaslAuthenticator {

    static final String PLAIN = "PLAIN";

    private final Devices devices;
    private final DeviceSessions sessions;
    private final Executor blocking;
    private Sasl sasl;
    private ProtonConnection connection;
    private Context context;
    private boolean succeeded;
    private boolean started;

    PlainAuthenticator(Devices devices, DeviceSessions sessions, Executor blocking) {
        this.devices = devices;
        this.sessions = sessions;
        this.blocking = blocking;
    }

    @Override
    public void init(NetSocket socket, ProtonConnection connection, Transport transport) {
        this.connection = connection;
        this.context = Vertx.currentContext();
        this.sasl = transport.sasl();
        sasl.server();
        sasl.allowSkip(false);
        sasl.setMechanisms(PLAIN);
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
        if (!PLAIN.equals(mechanisms[0]) || sasl.pending() == 0) {
            sasl.done(Sasl.SaslOutcome.PN_SASL_AUTH);
            completion.handle(true);
            return;
        }
        byte[] response = new byte[sasl.pending()];
        sasl.recv(response, 0, response.length);
        String token = username(response);
        long stamp = sessions.stamp();
        CompletableFuture.supplyAsync(() -> devices.authenticate(token), blocking)
                .exceptionally(e -> Optional.empty())
                .thenAccept(device -> context.runOnContext(v -> {
                    if (device.isPresent()) {
                        connection.attachments().set(AmqpTransport.DEVICE, DeviceIdentity.class, device.get());
                        connection.attachments().set(AmqpTransport.STAMP, Long.class, stamp);
                        succeeded = true;
                        sasl.done(Sasl.SaslOutcome.PN_SASL_OK);
                    } else {
                        sasl.done(Sasl.SaslOutcome.PN_SASL_AUTH);
                    }
                    completion.handle(true);
                }));
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
