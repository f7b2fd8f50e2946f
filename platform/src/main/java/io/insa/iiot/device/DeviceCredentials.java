package io.insa.iiot.device;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditEvent.Actor;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.device.DeviceAccessChanged.Change;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.Secrets;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Service;

/**
 * A device's secrets, the access token and the MQTT basic credentials: checks them for the transports
 * and replaces them for operators. X.509 certificates are {@link DeviceCertificates}'.
 */
@Service
public class DeviceCredentials {

    private final DeviceRepository devices;
    private final TenantTransactions transactions;
    private final AuditLog audit;
    private final Clock clock;
    private final DeviceAuthCache byToken;
    private final DeviceAccessChanges accessChanges;
    private final BCryptPasswordEncoder mqttPasswords = new BCryptPasswordEncoder(10);

    DeviceCredentials(
            DeviceRepository devices,
            TenantTransactions transactions,
            AuditLog audit,
            Clock clock,
            DeviceAuthCache byToken,
            DeviceAccessChanges accessChanges) {
        this.devices = devices;
        this.transactions = transactions;
        this.audit = audit;
        this.clock = clock;
        this.byToken = byToken;
        this.accessChanges = accessChanges;
    }

    /** The device an access token belongs to; unknown, rotated and deleted tokens give none. */
    public Optional<DeviceIdentity> authenticate(String token) {
        if (token == null || token.isEmpty() || token.length() > 200) {
            return Optional.empty();
        }
        return byToken.get(Secrets.sha256Hex(token), hash -> transactions.global(() -> devices.findByTokenHash(hash)));
    }

    /**
     * MQTT CONNECT credentials: client id + username + password of the device's MQTT basic
     * credentials, or, without a password, the access token as the username.
     */
    public Optional<DeviceIdentity> authenticateMqtt(String clientId, String username, String password) {
        if (username == null || username.isEmpty()) {
            return Optional.empty();
        }
        if (password == null || password.isEmpty()) {
            return authenticate(username);
        }
        Optional<DeviceRepository.MqttCredentials> credentials =
                transactions.global(() -> devices.findByMqttUsername(username));
        return credentials
                .filter(c -> c.clientId() == null || c.clientId().equals(clientId))
                .filter(c -> mqttPasswords.matches(password, c.passwordHash()))
                .map(DeviceRepository.MqttCredentials::device);
    }

    /** An MQTT password as stored, for a device created with MQTT basic credentials. */
    String hashMqttPassword(String password) {
        return mqttPasswords.encode(password);
    }

    /** Replaces the access token; the old one stops working at once, and sessions opened with it end. */
    String rotateToken(Caller caller, TenantId tenant, UUID id) {
        String token = Secrets.newToken();
        transactions.inTenant(tenant, () -> {
            devices.tokenHash(id).orElseThrow(() -> ProblemException.notFound("device " + id));
            devices.rotateToken(id, Secrets.sha256Hex(token), Times.now(clock));
            accessChanges.announce(new DeviceAccessChanged(tenant, id, Change.CREDENTIALS));
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "device.credentials_rotate", "device", id)
                    .withDetail("credential", "access_token"));
        });
        return token;
    }

    void setMqttCredentials(Caller caller, TenantId tenant, UUID id, DeviceRequests.MqttCredentials mqtt) {
        transactions.inTenant(tenant, () -> {
            devices.tokenHash(id).orElseThrow(() -> ProblemException.notFound("device " + id));
            try {
                devices.setMqttCredentials(
                        id, mqtt.clientId(), mqtt.username(), hashMqttPassword(mqtt.password()), Times.now(clock));
            } catch (DuplicateKeyException e) {
                throw ProblemException.conflict("MQTT username '" + mqtt.username() + "' is already in use");
            }
            accessChanges.announce(new DeviceAccessChanged(tenant, id, Change.CREDENTIALS));
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "device.credentials_rotate", "device", id)
                    .withDetail("credential", "mqtt_basic"));
        });
    }
}
