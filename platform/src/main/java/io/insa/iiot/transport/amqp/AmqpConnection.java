package io.insa.iiot.transport.amqp;

import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.transport.DeviceEdge;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.proton.ProtonConnection;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;

/**
 * One device's AMQP connection after SASL: opens once its device is known (from SASL, or, for a
 * certificate without authzid, from the open frame's container id), attaches the device's links
 * ({@link AmqpLinks}), and is closed with amqp:unauthorized-access when the device is deleted, its
 * token rotated, or its certificate stops being trusted. Event loop only.
 */
final class AmqpConnection {

    /** The login SASL established, attached to the connection. */
    static final String LOGIN = "insa.login";
    /** A certificate chain of SASL EXTERNAL without authzid: the open frame's container id names the device. */
    static final String CERTIFICATE_CHAIN = "insa.certificate-chain";

    private final ProtonConnection connection;
    private final Context context;
    private final Vertx vertx;
    private final DeviceEdge edge;
    private final AmqpLinks links;
    private final Set<ProtonConnection> open;
    private final DeviceGate gate = new DeviceGate();
    /** the command links of this connection */
    private final List<CommandChannels.Registration> commandLinks = new ArrayList<>();
    /** the device's presence and the end of the connection when its login no longer holds */
    private DeviceEdge.Connection deviceConnection;

    AmqpConnection(
            ProtonConnection connection, Vertx vertx, DeviceEdge edge, AmqpLinks links, Set<ProtonConnection> open) {
        this.connection = connection;
        this.context = vertx.getOrCreateContext();
        this.vertx = vertx;
        this.edge = edge;
        this.links = links;
        this.open = open;
    }

    void start() {
        connection.openHandler(result -> {
            DeviceEdge.Login login = connection.attachments().get(LOGIN, DeviceEdge.Login.class);
            if (login != null) {
                opened(login);
            } else {
                namedByContainer();
            }
        });
        connection.sessionOpenHandler(session -> gate.whenKnown(device -> session.open()));
        connection.receiverOpenHandler(receiver -> gate.whenKnown(device -> links.receiver(device, receiver, context)));
        connection.senderOpenHandler(sender -> gate.whenKnown(device -> {
            String address = sender.getRemoteSource() == null
                    ? null
                    : sender.getRemoteSource().getAddress();
            if (AmqpLinks.COMMAND.equals(address)) {
                sender.setSource(sender.getRemoteSource()).open();
                commandLinks.add(links.commands(device, sender, context));
            } else {
                sender.setCondition(new ErrorCondition(
                                Symbol.valueOf("amqp:not-found"), "devices receive on 'command' only"))
                        .close();
            }
        }));
        connection.closeHandler(result -> connection.close().disconnect());
        connection.disconnectHandler(c -> {
            gate.refused();
            commandLinks.forEach(CommandChannels.Registration::close);
            c.disconnect();
            if (open.remove(c)) {
                deviceConnection.close();
            }
        });
    }

    /**
     * A device that authenticated with SASL EXTERNAL and no authzid names itself by its container id:
     * its certificate is checked for that device now. Links it attached meanwhile wait in the gate.
     */
    private void namedByContainer() {
        X509Certificate[] chain = connection.attachments().get(CERTIFICATE_CHAIN, X509Certificate[].class);
        edge.authenticate(new DeviceEdge.ClientCertificate(connection.getRemoteContainer(), chain))
                .thenAccept(login -> context.runOnContext(v -> named(login)));
    }

    private void named(Optional<DeviceEdge.Login> login) {
        if (connection.isDisconnected()) {
            return;
        }
        if (login.isEmpty()) {
            gate.refused();
            close("the certificate does not authenticate the device the container id names");
            return;
        }
        opened(login.get());
    }

    /** The device is known: the connection opens, and the links that waited for it attach. */
    private void opened(DeviceEdge.Login login) {
        connection.setContainer("insa-iiot").open();
        open.add(connection);
        deviceConnection =
                edge.connected(login, () -> context.runOnContext(v -> close("the device's credentials were revoked")));
        gate.known(login.device());
    }

    private void close(String description) {
        if (connection.isDisconnected()) {
            return;
        }
        connection
                .setCondition(new ErrorCondition(Symbol.valueOf("amqp:unauthorized-access"), description))
                .close();
        vertx.setTimer(1_000, t -> connection.disconnect()); // for a peer that does not answer the close
    }

    /**
     * A connection's device, known from SASL or, for a certificate named by the container id, once
     * the open frame was checked: sessions and links opened before wait for it. Event loop only.
     */
    private static final class DeviceGate {
        private DeviceIdentity device;
        private List<Consumer<DeviceIdentity>> waiting = new ArrayList<>();

        void whenKnown(Consumer<DeviceIdentity> work) {
            if (device != null) {
                work.accept(device);
            } else if (waiting != null) {
                waiting.add(work);
            }
        }

        void known(DeviceIdentity known) {
            device = known;
            List<Consumer<DeviceIdentity>> ready = waiting;
            waiting = null;
            if (ready != null) {
                ready.forEach(work -> work.accept(known));
            }
        }

        /** Nothing waits any more: the connection was refused or went away. */
        void refused() {
            waiting = null;
        }
    }
}
