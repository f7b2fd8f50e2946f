package io.insa.iiot.transport.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * An MQTT connection on a plain socket, for what client libraries do not let a test send (an empty
 * client id without a clean session, a packet over the server's Maximum Packet Size) or see (what
 * comes just before the close). Packets are written and read as bytes; MQTT 3.1.1 is level 4, 5 is 5.
 */
final class RawMqtt implements AutoCloseable {

    static final int CONNACK = 0x20;
    static final int PUBACK = 0x40;
    static final int PINGRESP = 0xD0;
    static final int DISCONNECT = 0xE0;

    private final int version;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** A packet as read: its type (the upper half of the first byte, shifted back) and what follows the length. */
    record Packet(int type, byte[] body) {}

    RawMqtt(int port, int version) throws IOException {
        this.version = version;
        this.socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000); // a read that hangs fails the test rather than block it
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** CONNECT with {@code username} (an access token) and no password, keep-alive 60 s. */
    void connect(String clientId, boolean cleanSession, String username) throws IOException {
        connect(clientId, cleanSession, username, 60);
    }

    /** CONNECT with {@code username} (an access token), no password, and the keep-alive in seconds. */
    void connect(String clientId, boolean cleanSession, String username, int keepAliveSeconds) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, "MQTT");
        body.write(version);
        body.write(0x80 | (cleanSession ? 0x02 : 0)); // username; clean session / clean start
        body.write(keepAliveSeconds >> 8);
        body.write(keepAliveSeconds & 0xFF);
        properties(body);
        string(body, clientId);
        string(body, username);
        send(0x10, body.toByteArray());
    }

    /** PUBLISH at QoS 1. */
    void publish(String topic, int packetId, byte[] payload) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, topic);
        body.write(packetId >> 8);
        body.write(packetId & 0xFF);
        properties(body);
        body.writeBytes(payload);
        try {
            send(0x32, body.toByteArray());
        } catch (SocketException closedMeanwhile) {
            // the server may answer and close before it has read the whole packet; what it said is read next
        }
    }

    /** PINGREQ. */
    void ping() throws IOException {
        send(0xC0, new byte[0]);
    }

    /** The next packet within {@code millis}; a {@link java.net.SocketTimeoutException} when none came. */
    Packet read(int millis) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            return read();
        } finally {
            socket.setSoTimeout(before);
        }
    }

    /** The next packet, or null when the server closed the connection (end of stream or reset). */
    Packet read() throws IOException {
        try {
            int first = in.readUnsignedByte();
            int length = 0;
            for (int shift = 0; ; shift += 7) {
                int b = in.readUnsignedByte();
                length |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            byte[] body = new byte[length];
            in.readFully(body);
            return new Packet(first & 0xF0, body);
        } catch (EOFException | SocketException closed) {
            return null;
        }
    }

    private void send(int firstByte, byte[] body) throws IOException {
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(firstByte);
        int length = body.length;
        do {
            int b = length & 0x7F;
            length >>>= 7;
            packet.write(length > 0 ? b | 0x80 : b);
        } while (length > 0);
        packet.write(body);
        out.write(packet.toByteArray());
        out.flush();
    }

    /** MQTT 5's property length (none); MQTT 3.1.1 has no properties. */
    private void properties(ByteArrayOutputStream body) {
        if (version == 5) {
            body.write(0);
        }
    }

    private static void string(ByteArrayOutputStream body, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        body.write(bytes.length >> 8);
        body.write(bytes.length & 0xFF);
        body.writeBytes(bytes);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
