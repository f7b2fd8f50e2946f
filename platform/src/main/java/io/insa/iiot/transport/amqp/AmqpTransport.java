package io.insa.iiot.transport.amqp;

import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.device.CertificateLogin;
import io.insa.iiot.device.DeviceCertificates;
import io.insa.iiot.device.DeviceCredentials;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestPressure;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.transport.DeviceConnections;
import io.insa.iiot.transport.DeviceSessions;
import io.insa.iiot.transport.InFlight;
import io.insa.iiot.transport.TransportKeystores;
import io.insa.iiot.transport.TransportMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.ProtonDelivery;
import io.vertx.proton.ProtonReceiver;
import io.vertx.proton.ProtonSender;
import io.vertx.proton.ProtonServer;
import io.vertx.proton.ProtonServerOptions;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.amqp.transport.LinkError;
import org.apache.qpid.proton.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The AMQP 1.0 server (Vert.x Proton), SPEC 5 AMQP column: SASL PLAIN with the device token (or, on
 * TLS, EXTERNAL with its certificate for the device the authzid or container id names), links to
 * the addresses {@code telemetry} and {@code attributes}; each delivery is settled after the message
 * is committed (accepted), refused (rejected with amqp:decode-error, amqp:resource-limit-exceeded or
 * amqp:unauthorized-access and a description) or could not be stored (released: send again). Link
 * credit is the backpressure: a link gets a new credit only when one of its deliveries is settled,
 * and none while the ingest queue is above its high-water mark ({@link LinkCredit}).
 * When the device is deleted or its token rotated, or its certificate stops being trusted, the
 * connection is closed with amqp:unauthorized-access.
 */
@Component
class AmqpTransport implements SmartLifecycle {

    static final String DEVICE = "insa.device";
    /** The {@link DeviceSessions#stamp()} taken before the device was authenticated. */
    static final String STAMP = "insa.stamp";
    /** The certificate that authenticated the device in SASL EXTERNAL (with an authzid). */
    static final String CERTIFICATE = "insa.certificate";
    /** A certificate chain of SASL EXTERNAL without authzid: the open frame's container id names the device. */
    static final String CERTIFICATE_CHAIN = "insa.certificate-chain";

    static final String TELEMETRY = "telemetry";
    static final String ATTRIBUTES = "attributes";
    static final String COMMAND = "command";
    static final String COMMAND_RESPONSE = "command_response";
    /** Bytes a message may carry besides its body: header, properties, annotations, section codes. */
    static final int MESSAGE_SECTIONS_ALLOWANCE = 2048;

    private static final Logger log = LoggerFactory.getLogger(AmqpTransport.class);

    private final Vertx vertx;
    private final AmqpSettings settings;
    private final DeviceCredentials devices;
    private final Ingest ingest;
    private final LinkCredit credit;
    private final DeviceConnections connections;
    private final DeviceSessions deviceSessions;
    private final CommandChannels commandChannels;
    private final Commands commands;
    private final TransportKeystores keystores;
    private final DeviceCertificates certificates;
    private final TransportMetrics metrics;
    private final Set<ProtonConnection> open = ConcurrentHashMap.newKeySet();
    private final InFlight inFlight = new InFlight();
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    private final List<ProtonServer> servers = new ArrayList<>();

    AmqpTransport(
            Vertx vertx,
            AmqpSettings settings,
            DeviceCredentials devices,
            Ingest ingest,
            IngestPressure pressure,
            DeviceConnections connections,
            DeviceSessions deviceSessions,
            CommandChannels commandChannels,
            Commands commands,
            TransportKeystores keystores,
            DeviceCertificates certificates,
            MeterRegistry registry) {
        this.keystores = keystores;
        this.certificates = certificates;
        this.metrics = new TransportMetrics(registry, "amqp", open);
        this.credit = new LinkCredit(pressure, metrics);
        this.commandChannels = commandChannels;
        this.commands = commands;
        this.vertx = vertx;
        this.settings = settings;
        this.devices = devices;
        this.ingest = ingest;
        this.connections = connections;
        this.deviceSessions = deviceSessions;
    }

    @Override
    public void start() {
        if (!settings.enabled()) {
            return;
        }
        servers.add(listen(new ProtonServerOptions().setHost(settings.host()).setPort(settings.port())));
        if (settings.tls() != null && settings.tls().enabled()) {
            servers.add(listen(new ProtonServerOptions()
                    .setHost(settings.host())
                    .setPort(settings.tls().port())
                    .setSsl(true)
                    .setKeyCertOptions(keystores.options(
                            settings.tls().keystore(), settings.tls().keystorePassword()))
                    .setClientAuth(ClientAuth.REQUEST)
                    .setTrustOptions(keystores.anyClientCertificate())));
        }
    }

    private ProtonServer listen(ProtonServerOptions options) {
        ProtonServer created = ProtonServer.create(vertx, options)
                .saslAuthenticatorFactory(
                        () -> new DeviceSaslAuthenticator(devices, certificates, deviceSessions, blocking))
                .connectHandler(this::connected);
        CompletableFuture<Void> listening = new CompletableFuture<>();
        created.listen(result -> {
            if (result.succeeded()) {
                listening.complete(null);
            } else {
                listening.completeExceptionally(result.cause());
            }
        });
        listening.join();
        log.info("AMQP listening on {}:{}{}", settings.host(), created.actualPort(), options.isSsl() ? " (TLS)" : "");
        return created;
    }

    private void connected(ProtonConnection connection) {
        Context context = vertx.getOrCreateContext();
        DeviceGate gate = new DeviceGate();
        // the command links of this connection; touched on its event loop only
        List<CommandChannels.Registration> commandLinks = new ArrayList<>();
        // ends the connection when the device's credentials are revoked
        AtomicReference<DeviceSessions.Registration> access = new AtomicReference<>();
        connection.openHandler(result -> {
            DeviceIdentity device = connection.attachments().get(DEVICE, DeviceIdentity.class);
            if (device != null) {
                opened(
                        connection,
                        context,
                        gate,
                        access,
                        device,
                        connection.attachments().get(CERTIFICATE, CertificateLogin.class),
                        connection.attachments().get(STAMP, Long.class));
            } else {
                namedByContainer(connection, context, gate, access);
            }
        });
        connection.sessionOpenHandler(session -> gate.whenKnown(device -> session.open()));
        connection.receiverOpenHandler(receiver -> gate.whenKnown(device -> receiver(device, receiver, context)));
        connection.senderOpenHandler(sender -> gate.whenKnown(device -> {
            if (COMMAND.equals(
                    sender.getRemoteSource() == null
                            ? null
                            : sender.getRemoteSource().getAddress())) {
                sender.setSource(sender.getRemoteSource()).open();
                commandLinks.add(commands(device, sender, context));
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
            if (access.get() != null) {
                access.get().close();
            }
            c.disconnect();
            if (open.remove(c)) {
                connections.closed(gate.device(), blocking);
            }
        });
    }

    /**
     * A device that authenticated with SASL EXTERNAL and no authzid names itself by its container id:
     * its certificate is checked for that device now. Links it attached meanwhile wait in the gate.
     */
    private void namedByContainer(
            ProtonConnection connection,
            Context context,
            DeviceGate gate,
            AtomicReference<DeviceSessions.Registration> access) {
        X509Certificate[] chain = connection.attachments().get(CERTIFICATE_CHAIN, X509Certificate[].class);
        String claimed = connection.getRemoteContainer();
        long stamp = deviceSessions.stamp();
        CompletableFuture.supplyAsync(
                        () -> chain == null
                                ? Optional.<CertificateLogin>empty()
                                : certificates.authenticate(claimed, chain),
                        blocking)
                .exceptionally(e -> Optional.empty())
                .thenAccept(login -> context.runOnContext(v -> {
                    if (connection.isDisconnected()) {
                        return;
                    }
                    if (login.isEmpty()) {
                        gate.refused();
                        close(connection, "the certificate does not authenticate the device the container id names");
                        return;
                    }
                    opened(connection, context, gate, access, login.get().device(), login.get(), stamp);
                }));
    }

    /** The device is known: the connection opens, and the links that waited for it attach. */
    private void opened(
            ProtonConnection connection,
            Context context,
            DeviceGate gate,
            AtomicReference<DeviceSessions.Registration> access,
            DeviceIdentity device,
            CertificateLogin certificate,
            long stamp) {
        connection.setContainer("insa-iiot").open();
        open.add(connection);
        connections.opened(device, blocking);
        Runnable end = () -> context.runOnContext(v -> revoke(connection));
        access.set(
                certificate != null
                        ? deviceSessions.certificateOf(certificate, stamp, end)
                        : deviceSessions.credentialsOf(device.deviceId(), stamp, end));
        gate.known(device);
    }

    /** The credentials the connection was opened with no longer hold. */
    private void revoke(ProtonConnection connection) {
        close(connection, "the device's credentials were revoked");
    }

    private void close(ProtonConnection connection, String description) {
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

        DeviceIdentity device() {
            return device;
        }
    }

    private void receiver(DeviceIdentity device, ProtonReceiver receiver, Context context) {
        String address = receiver.getRemoteTarget() == null
                ? null
                : receiver.getRemoteTarget().getAddress();
        if (COMMAND_RESPONSE.equals(address)) {
            answers(device, receiver);
            return;
        }
        BiFunction<DeviceIdentity, byte[], CompletableFuture<IngestResult>> kind =
                TELEMETRY.equals(address) ? ingest::telemetry : ATTRIBUTES.equals(address) ? ingest::attributes : null;
        if (kind == null) {
            receiver.setCondition(new ErrorCondition(
                            Symbol.valueOf("amqp:not-found"),
                            "devices send to '" + TELEMETRY + "' or '" + ATTRIBUTES + "'"))
                    .close();
            return;
        }
        receiver.setTarget(receiver.getRemoteTarget()).setAutoAccept(false).setPrefetch(0);
        limitMessageSize(receiver);
        receiver.handler((delivery, message) -> {
            inFlight.begin();
            byte[] payload = body(message);
            CompletableFuture.supplyAsync(
                            () -> payload == null
                                    ? CompletableFuture.completedFuture((IngestResult) new IngestResult.Rejected(
                                            IngestResult.Reason.MALFORMED,
                                            "the body must be a data section or a string or binary value",
                                            null))
                                    : kind.apply(device, payload),
                            blocking)
                    .thenCompose(f -> f)
                    .exceptionally(e -> new IngestResult.Failed("internal error", Duration.ofSeconds(1)))
                    .thenAccept(result -> context.runOnContext(v -> {
                        settle(delivery, result);
                        inFlight.end();
                        credit.settled(receiver, context);
                    }));
        });
        receiver.open();
        credit.opened(receiver, context, settings.linkCredit());
    }

    /** Commands for the device go out on its 'command' link: message id = command id, subject = method. */
    private CommandChannels.Registration commands(DeviceIdentity device, ProtonSender sender, Context context) {
        CommandChannels.Registration registration = commandChannels.register(
                device.deviceId(),
                command -> context.runOnContext(v -> {
                    if (sender.isOpen()) {
                        Message message = Message.Factory.create();
                        message.setMessageId(command.id().toString());
                        message.setSubject(command.method());
                        message.setBody(new Data(new Binary(command.json().getBytes(StandardCharsets.UTF_8))));
                        sender.send(message);
                    }
                }));
        sender.closeHandler(closed -> registration.close());
        sender.detachHandler(detached -> registration.close());
        return registration;
    }

    /** Answers to commands: the correlation id names the command, the body is the answer. */
    private void answers(DeviceIdentity device, ProtonReceiver receiver) {
        receiver.setTarget(receiver.getRemoteTarget()).setAutoAccept(false).setPrefetch(0);
        limitMessageSize(receiver);
        receiver.handler((delivery, message) -> {
            byte[] body = body(message);
            Object correlation = message.getCorrelationId();
            boolean known = false;
            if (body != null && correlation != null) {
                try {
                    known = commands.respond(
                            device.deviceId(),
                            UUID.fromString(correlation.toString()),
                            new String(body, StandardCharsets.UTF_8));
                } catch (IllegalArgumentException notAUuid) {
                    known = false;
                }
            }
            if (known) {
                delivery.disposition(Accepted.getInstance(), true);
            } else {
                Rejected rejected = new Rejected();
                rejected.setError(new ErrorCondition(
                        Symbol.valueOf("amqp:not-found"), "no waiting command has that correlation id"));
                delivery.disposition(rejected, true);
            }
            receiver.flow(1);
        });
        receiver.open();
        receiver.flow(settings.linkCredit());
    }

    /**
     * Announces the largest message on attach and closes the link (amqp:link:message-size-exceeded) as
     * soon as a delivery's transfers add up to more: Proton drops the frames as they come instead of
     * holding the whole message. Closed rather than only detached (Proton's default), because a client
     * waits for a detached link to resume and so for an answer that never comes. The allowance over the
     * payload limit is for the message's own sections (header, properties, annotations), so that a body
     * within the limit always gets through and one slightly over it is rejected with a decode error
     * like on every transport.
     */
    private void limitMessageSize(ProtonReceiver receiver) {
        long limit = ingest.maxPayloadBytes() + MESSAGE_SECTIONS_ALLOWANCE;
        receiver.setMaxMessageSize(UnsignedLong.valueOf(limit));
        receiver.maxMessageSizeExceededHandler(exceeded -> exceeded.setCondition(new ErrorCondition(
                        LinkError.MESSAGE_SIZE_EXCEEDED, "the message exceeds the limit of " + limit + " bytes"))
                .close());
    }

    private void settle(ProtonDelivery delivery, IngestResult result) {
        metrics.message(result);
        switch (result) {
            case IngestResult.Accepted accepted -> delivery.disposition(Accepted.getInstance(), true);
            case IngestResult.Rejected rejected -> {
                Rejected outcome = new Rejected();
                outcome.setError(new ErrorCondition(Symbol.valueOf(condition(rejected.reason())), rejected.detail()));
                delivery.disposition(outcome, true);
            }
            case IngestResult.Failed failed -> delivery.disposition(Released.getInstance(), true);
        }
    }

    private static String condition(IngestResult.Reason reason) {
        return switch (reason) {
            case MALFORMED -> "amqp:decode-error";
            case RATE_LIMITED, QUOTA_EXCEEDED -> "amqp:resource-limit-exceeded";
            case TENANT_SUSPENDED, DEVICE_DELETED -> "amqp:unauthorized-access";
        };
    }

    /** The payload: a data section, or a binary or string value. */
    private static byte[] body(Message message) {
        return switch (message.getBody()) {
            case Data data -> bytes(data.getValue());
            case AmqpValue value when value.getValue() instanceof Binary binary -> bytes(binary);
            case AmqpValue value when value.getValue() instanceof String text -> text.getBytes(StandardCharsets.UTF_8);
            case null, default -> null;
        };
    }

    private static byte[] bytes(Binary binary) {
        return Arrays.copyOfRange(
                binary.getArray(), binary.getArrayOffset(), binary.getArrayOffset() + binary.getLength());
    }

    int port() {
        return servers.getFirst().actualPort();
    }

    /** The TLS listener's port, or -1. */
    int tlsPort() {
        return servers.size() > 1 ? servers.get(1).actualPort() : -1;
    }

    @Override
    public void stop() {
        inFlight.awaitIdle(Duration.ofSeconds(10)); // admitted deliveries are settled before the listener goes
        servers.forEach(ProtonServer::close);
        servers.clear();
        blocking.shutdown();
    }

    @Override
    public boolean isRunning() {
        return !servers.isEmpty();
    }
}
