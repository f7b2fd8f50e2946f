package io.insa.iiot.ingest;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.telemetry.DailyQuota;
import io.insa.iiot.telemetry.Point;
import io.insa.iiot.telemetry.TelemetryValue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An admitted message as a Kafka record's value, and back: its device messages with the server
 * timestamps, the day whose quota the points were taken from and the time received, all fixed at
 * admission, so that a record written again after a redelivery makes the same rows.
 */
final class KafkaRecords {

    private static final byte VERSION = 1;
    private static final byte TELEMETRY = 'T';
    private static final byte ATTRIBUTES = 'A';

    private final DailyQuota quota;

    KafkaRecords(DailyQuota quota) {
        this.quota = quota;
    }

    /** The record's key: the (first) device's id, so that a device's messages stay in order on one partition. */
    static byte[] key(PendingMessage element) {
        UUID device = element.device().deviceId();
        return ByteBuffer.allocate(16)
                .putLong(device.getMostSignificantBits())
                .putLong(device.getLeastSignificantBits())
                .array();
    }

    static byte[] value(PendingMessage element) {
        List<PendingMessage> parts = element.deviceMessages();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 48 * element.pointCount());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeShort(parts.size());
            for (PendingMessage m : parts) {
                write(out, m);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not from a byte array
        }
        return bytes.toByteArray();
    }

    /**
     * The record as the device messages to write, each with a result of its own; their points count
     * under the reservation made at admission, which the writer's node does not make again.
     */
    List<PendingMessage> messages(byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            if (in.readByte() != VERSION) {
                throw new IllegalArgumentException("unknown ingest record version");
            }
            int parts = in.readUnsignedShort();
            List<PendingMessage> messages = new ArrayList<>(parts);
            for (int i = 0; i < parts; i++) {
                messages.add(read(in));
            }
            return messages;
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed ingest record", e);
        }
    }

    private static void write(DataOutputStream out, PendingMessage m) throws IOException {
        DeviceIdentity device = m.device();
        writeUuid(out, device.tenantId().value());
        writeUuid(out, device.deviceId());
        writeString(out, device.name());
        writeString(out, device.type());
        writeInstant(out, m.receivedAt());
        if (m.points() != null) {
            out.writeByte(TELEMETRY);
            out.writeLong(m.reservation().day().toEpochDay());
            out.writeInt(m.points().size());
            for (Point p : m.points()) {
                writeString(out, p.key());
                writeInstant(out, p.ts());
                writeValue(out, p.value());
            }
        } else {
            out.writeByte(ATTRIBUTES);
            out.writeInt(m.attributes().size());
            for (Map.Entry<String, String> a : m.attributes().entrySet()) {
                writeString(out, a.getKey());
                writeString(out, a.getValue());
            }
        }
    }

    private PendingMessage read(DataInputStream in) throws IOException {
        TenantId tenant = TenantId.of(readUuid(in));
        DeviceIdentity device = new DeviceIdentity(readUuid(in), tenant, readString(in), readString(in));
        Instant receivedAt = readInstant(in);
        byte kind = in.readByte();
        if (kind == TELEMETRY) {
            LocalDate day = LocalDate.ofEpochDay(in.readLong());
            int count = in.readInt();
            List<Point> points = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                points.add(new Point(readString(in), readInstant(in), readValue(in)));
            }
            return PendingMessage.telemetry(device, receivedAt, points, quota.reservedAtAdmission(tenant, day, count));
        }
        if (kind != ATTRIBUTES) {
            throw new IOException("unknown message kind " + kind);
        }
        int count = in.readInt();
        Map<String, String> attributes = new LinkedHashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            attributes.put(readString(in), readString(in));
        }
        return PendingMessage.attributes(device, receivedAt, attributes);
    }

    private static void writeValue(DataOutputStream out, TelemetryValue value) throws IOException {
        switch (value) {
            case TelemetryValue.LongValue l -> {
                out.writeByte('l');
                out.writeLong(l.value());
            }
            case TelemetryValue.DoubleValue d -> {
                out.writeByte('d');
                out.writeDouble(d.value());
            }
            case TelemetryValue.BooleanValue b -> {
                out.writeByte('b');
                out.writeBoolean(b.value());
            }
            case TelemetryValue.StringValue s -> {
                out.writeByte('s');
                writeString(out, s.value());
            }
            case TelemetryValue.JsonValue j -> {
                out.writeByte('j');
                writeString(out, j.json());
            }
        }
    }

    private static TelemetryValue readValue(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        return switch (tag) {
            case 'l' -> new TelemetryValue.LongValue(in.readLong());
            case 'd' -> new TelemetryValue.DoubleValue(in.readDouble());
            case 'b' -> new TelemetryValue.BooleanValue(in.readBoolean());
            case 's' -> new TelemetryValue.StringValue(readString(in));
            case 'j' -> new TelemetryValue.JsonValue(readString(in));
            default -> throw new IOException("unknown value type " + tag);
        };
    }

    private static void writeUuid(DataOutputStream out, UUID id) throws IOException {
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
    }

    private static UUID readUuid(DataInputStream in) throws IOException {
        return new UUID(in.readLong(), in.readLong());
    }

    /** Seconds and nanoseconds: a server timestamp bumped by a microsecond keeps it. */
    private static void writeInstant(DataOutputStream out, Instant t) throws IOException {
        out.writeLong(t.getEpochSecond());
        out.writeInt(t.getNano());
    }

    private static Instant readInstant(DataInputStream in) throws IOException {
        return Instant.ofEpochSecond(in.readLong(), in.readInt());
    }

    /** Length and UTF-8 bytes, -1 for null (a payload's string may be longer than writeUTF takes). */
    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] utf8 = in.readNBytes(length);
        if (utf8.length != length) {
            throw new IOException("truncated ingest record");
        }
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
