package io.insa.iiot.device;

import io.insa.iiot.shared.TenantId;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Device certificates, tenants' CAs and revoked serial numbers; run in the tenant's transaction. */
@Repository
class CertificateRepository {

    /** A certificate a device presented, matched to its registered device. */
    record DeviceMatch(DeviceIdentity device, OffsetDateTime notAfter) {}

    /** The CA named as a certificate's issuer, and whether that serial number was revoked. */
    record IssuerMatch(UUID caId, TenantId tenant, String certificatePem, boolean autoProvision, boolean revoked) {}

    private final JdbcClient jdbc;

    CertificateRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void putDeviceCertificate(
            TenantId tenant,
            UUID device,
            String thumbprint,
            String subject,
            OffsetDateTime notAfter,
            OffsetDateTime now) {
        jdbc.sql("""
                        INSERT INTO device_certificates (device_id, tenant_id, thumbprint, subject, not_after, created_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (device_id) DO UPDATE SET thumbprint = excluded.thumbprint,
                               subject = excluded.subject, not_after = excluded.not_after,
                               created_at = excluded.created_at""")
                .params(device, tenant.value(), thumbprint, subject, notAfter, now)
                .update();
    }

    boolean deleteDeviceCertificate(UUID device) {
        return jdbc.sql("DELETE FROM device_certificates WHERE device_id = ?")
                        .param(device)
                        .update()
                == 1;
    }

    Optional<DeviceMatch> deviceByThumbprint(String thumbprint) {
        return jdbc.sql("SELECT * FROM app_device_by_certificate(?)")
                .param(thumbprint)
                .query((rs, n) -> new DeviceMatch(
                        new DeviceIdentity(
                                rs.getObject("device_id", UUID.class),
                                TenantId.of(rs.getObject("tenant_id", UUID.class)),
                                rs.getString("name"),
                                rs.getString("type")),
                        rs.getObject("not_after", OffsetDateTime.class)))
                .optional();
    }

    Optional<IssuerMatch> issuer(String subject, String serial) {
        return jdbc.sql("SELECT * FROM app_ca_by_subject(?, ?)")
                .params(subject, serial)
                .query((rs, n) -> new IssuerMatch(
                        rs.getObject("id", UUID.class),
                        TenantId.of(rs.getObject("tenant_id", UUID.class)),
                        rs.getString("certificate_pem"),
                        rs.getBoolean("auto_provision"),
                        rs.getBoolean("revoked")))
                .optional();
    }

    void insertCa(TenantId tenant, DeviceCertificates.CaCertificate ca, String pem) {
        jdbc.sql("""
                        INSERT INTO ca_certificates (id, tenant_id, subject, thumbprint, certificate_pem, not_after,
                                                     auto_provision, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(
                        ca.id(),
                        tenant.value(),
                        ca.subject(),
                        ca.thumbprint(),
                        pem,
                        ca.notAfter(),
                        ca.autoProvision(),
                        ca.createdAt())
                .update();
    }

    List<DeviceCertificates.CaCertificate> cas() {
        return jdbc.sql("""
                        SELECT id, subject, thumbprint, not_after, auto_provision, created_at FROM ca_certificates
                        ORDER BY created_at, id""")
                .query((rs, n) -> new DeviceCertificates.CaCertificate(
                        rs.getObject("id", UUID.class),
                        rs.getString("subject"),
                        rs.getString("thumbprint"),
                        rs.getObject("not_after", OffsetDateTime.class),
                        rs.getBoolean("auto_provision"),
                        rs.getObject("created_at", OffsetDateTime.class)))
                .list();
    }

    boolean caExists(UUID id) {
        return jdbc.sql("SELECT count(*) FROM ca_certificates WHERE id = ?")
                        .param(id)
                        .query(Long.class)
                        .single()
                > 0;
    }

    boolean deleteCa(UUID id) {
        return jdbc.sql("DELETE FROM ca_certificates WHERE id = ?").param(id).update() == 1;
    }

    void revoke(TenantId tenant, UUID ca, String serial, OffsetDateTime now) {
        jdbc.sql("""
                        INSERT INTO revoked_certificates (ca_id, tenant_id, serial_number, revoked_at)
                        VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING""").params(ca, tenant.value(), serial, now).update();
    }
}
