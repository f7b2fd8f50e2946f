package io.insa.iiot.command;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.insa.iiot.shared.ChannelListener;
import io.insa.iiot.shared.DedicatedConnections;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Commands for devices whose connection another node holds (SPEC 2: any node takes any device), and
 * their answers back, as PostgreSQL notifications on {@value #CHANNEL}. The node a command is sent
 * through offers it to every node; one holding a connection of the device delivers it and says so,
 * within {@link #DELIVERY_WAIT}, or the device counts as offline. The device's answer reaches the
 * node it is connected to, which sends it to the node that waits for it.
 *
 * <p>The tenant was checked where the command was sent (the device is looked up in the caller's
 * tenant first); device and command ids are random UUIDs, and an answer is taken only from the device
 * the command went to.
 */
@Component
class CommandRelay implements SmartLifecycle {

    static final String CHANNEL = "insa_commands";
    /** How long the sending node waits for a node that holds the device's connection to take the command. */
    static final Duration DELIVERY_WAIT = Duration.ofSeconds(2);
    /** A notification's payload stays under PostgreSQL's limit of 8,000 bytes. */
    static final int MAX_PAYLOAD = 7_900;

    private static final Logger log = LoggerFactory.getLogger(CommandRelay.class);
    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

    /** A command this node delivered for another one, so that the device's answer goes back there. */
    private record Relayed(UUID deviceId, String origin) {}

    /** Where an answer of another node is handed in: the same path as a device's answer on this node. */
    interface Answers {
        boolean respond(UUID deviceId, UUID commandId, String answer);
    }

    private final JdbcClient jdbc;
    private final CommandChannels channels;
    private final ChannelListener listener;
    private final String node = UUID.randomUUID().toString();
    private final Map<UUID, CompletableFuture<Void>> deliveries = new ConcurrentHashMap<>();
    private final Cache<UUID, Relayed> relayedHere = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(10))
            .maximumSize(100_000)
            .build();
    private volatile Answers answers = (device, command, answer) -> false;

    CommandRelay(JdbcClient jdbc, CommandChannels channels, DedicatedConnections databaseChannels) {
        this.jdbc = jdbc;
        this.channels = channels;
        this.listener = databaseChannels.listener(CHANNEL, "insa-commands", this::received, () -> {});
    }

    void answersTo(Answers answers) {
        this.answers = answers;
    }

    /** What became of a command offered to the other nodes. */
    enum Offer {
        /** A node holding a connection of the device took it. */
        DELIVERED,
        /** None did within {@link #DELIVERY_WAIT}: the device is offline. */
        NO_NODE,
        /** Method and parameters do not fit into a notification. */
        TOO_LARGE
    }

    /** Offers the command to the other nodes, and waits for one holding a connection of the device to take it. */
    Offer offer(UUID deviceId, DeviceCommand command) throws InterruptedException {
        String payload = "C " + node + " " + deviceId + " " + command.id() + " " + (command.oneWay() ? 1 : 0) + " "
                + encode(command.method()) + " " + encode(command.params());
        if (payload.length() > MAX_PAYLOAD) {
            return Offer.TOO_LARGE;
        }
        CompletableFuture<Void> delivered = new CompletableFuture<>();
        deliveries.put(command.id(), delivered);
        try {
            notifyNodes(payload);
            delivered.get(DELIVERY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return Offer.DELIVERED;
        } catch (TimeoutException e) {
            return Offer.NO_NODE;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            deliveries.remove(command.id());
        }
    }

    /** A device on this node answered a command another node sent: true when it was one, which goes back there. */
    boolean answered(UUID deviceId, UUID commandId, String answer) {
        Relayed relayed = relayedHere.getIfPresent(commandId);
        if (relayed == null || !relayed.deviceId().equals(deviceId)) {
            return false;
        }
        String payload = "A " + relayed.origin() + " " + deviceId + " " + commandId + " " + encode(answer);
        if (payload.length() > MAX_PAYLOAD) {
            log.warn(
                    "the answer of device {} to command {} is too large to reach the node that sent it",
                    deviceId,
                    commandId);
            return true;
        }
        notifyNodes(payload);
        return true;
    }

    /** {@code C <origin> <device> <command> <one-way> <method> <params>}, {@code D <origin> <command>}, {@code A <origin> <device> <command> <answer>}. */
    private void received(String payload) {
        String[] words = payload.split(" ");
        try {
            switch (words[0]) {
                case "C" -> {
                    if (words.length != 7 || words[1].equals(node)) {
                        return;
                    }
                    UUID deviceId = UUID.fromString(words[2]);
                    var channel = channels.channelOf(deviceId);
                    if (channel.isEmpty()) {
                        return;
                    }
                    DeviceCommand command = new DeviceCommand(
                            UUID.fromString(words[3]), decode(words[5]), decode(words[6]), words[4].equals("1"));
                    if (!command.oneWay()) {
                        relayedHere.put(command.id(), new Relayed(deviceId, words[1]));
                    }
                    channel.get().accept(command);
                    notifyNodes("D " + words[1] + " " + command.id());
                }
                case "D" -> {
                    if (words.length == 3 && words[1].equals(node)) {
                        CompletableFuture<Void> delivered = deliveries.get(UUID.fromString(words[2]));
                        if (delivered != null) {
                            delivered.complete(null);
                        }
                    }
                }
                case "A" -> {
                    if (words.length == 5 && words[1].equals(node)) {
                        answers.respond(UUID.fromString(words[2]), UUID.fromString(words[3]), decode(words[4]));
                    }
                }
                default -> log.warn("ignored a malformed command notification");
            }
        } catch (IllegalArgumentException e) {
            log.warn("ignored a malformed command notification: {}", e.getMessage());
        }
    }

    private void notifyNodes(String payload) {
        jdbc.sql("SELECT pg_notify(?, ?)").params(CHANNEL, payload).query(rs -> {});
    }

    private static String encode(String text) {
        return ENCODE.encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String word) {
        return new String(DECODE.decode(word), StandardCharsets.UTF_8);
    }

    @Override
    public void start() {
        listener.start(Duration.ofSeconds(10));
    }

    @Override
    public void stop() {
        listener.stop();
    }

    @Override
    public boolean isRunning() {
        return listener.isRunning();
    }

    /** Listens before the transports take connections, and stops after them. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
