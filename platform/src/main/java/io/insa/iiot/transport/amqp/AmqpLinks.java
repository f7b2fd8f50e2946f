package io.insa.iiot.transport.amqp;

import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestPressure;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.transport.InFlight;
import io.insa.iiot.transport.TransportMetrics;
import io.vertx.core.Context;
import io.vertx.proton.ProtonDelivery;
import io.vertx.proton.ProtonReceiver;
import io.vertx.proton.ProtonSender;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.BiFunction;
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

/**
 * A device's AMQP links (SPEC 5, AMQP column), the same for every connection: {@code telemetry} and
 * {@code attributes} in, each delivery settled after its message is committed (accepted), refused
 * (rejected with amqp:decode-error, amqp:resource-limit-exceeded or amqp:unauthorized-access and a
 * description) or not stored (released: send again), with link credit as the backpressure
 * ({@link LinkCredit}); {@code command} out and {@code command_response} in.
 */
final class AmqpLinks {

    static final String TELEMETRY = "telemetry";
    static final String ATTRIBUTES = "attributes";
    static final String COMMAND = "command";
    static final String COMMAND_RESPONSE = "command_response";
    /** Bytes a message may carry besides its body: header, properties, annotations, section codes. */
    static final int MESSAGE_SECTIONS_ALLOWANCE = 2048;

    private final Ingest ingest;
    private final LinkCredit credit;
    private final CommandChannels commandChannels;
    private final Commands commands;
    private final TransportMetrics metrics;
    private final InFlight inFlight;
    private final ExecutorService blocking;
    private final int linkCredit;

    AmqpLinks(
            Ingest ingest,
            IngestPressure pressure,
            CommandChannels commandChannels,
            Commands commands,
            TransportMetrics metrics,
            InFlight inFlight,
            ExecutorService blocking,
            int linkCredit) {
        this.ingest = ingest;
        this.credit = new LinkCredit(pressure, metrics);
        this.commandChannels = commandChannels;
        this.commands = commands;
        this.metrics = metrics;
        this.inFlight = inFlight;
        this.blocking = blocking;
        this.linkCredit = linkCredit;
    }

    void receiver(DeviceIdentity device, ProtonReceiver receiver, Context context) {
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
        credit.opened(receiver, context, linkCredit);
    }

    /** Commands for the device go out on its 'command' link: message id = command id, subject = method. */
    CommandChannels.Registration commands(DeviceIdentity device, ProtonSender sender, Context context) {
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
        receiver.flow(linkCredit);
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
}
