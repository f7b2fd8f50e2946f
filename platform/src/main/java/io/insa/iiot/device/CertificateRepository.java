package io.insa.iiot.device;

import io.insa.iiot.shared.TenantId;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Device certificates, tenants' CAs and revoked serial numbers. Everything runs in one tenant's
 * transaction except the two lookups that find the tenant a device names itself into.
 */
@Repository
class CertificateRepository {

    /** A verified CA of the tenant, as chains are validated against it. */
    record TrustedCa(UUID id, String certificatePem, boolean autoProvision) {}

    /** A CA as stored, for its verification. */
    record StoredCa(CertificateRegistry.CaCertificate ca, String certificatePem) {}

    private static final String CA_COLUMNS =
            "id, subject, thumbprint, not_after, auto_provision, created_at, verified_at, verification_code";

    private final JdbcClient jdbc;

    CertificateRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    // ------------------------------------------------------------------ the tenant a device names

    /** Global: the tenant of a device named by its id (a named cross-tenant path, SPEC 3.2). */
    Optional<TenantId> tenantOfDevice(UUID device) {
        return jdbc.sql("SELECT app_tenant_of_device(?)")
                .param(device)
                .query((rs, n) -> rs.getObject(1, UUID.class))
                .optional()
                .map(TenantId::of);
    }

    /** Global: the tenant of a slug (tenants are a global table). */
    Optional<TenantId> tenantBySlug(String slug) {
        return jdbc.sql("SELECT id FROM tenants WHERE slug = ?")
                .param(slug)
                .query((rs, n) -> TenantId.of(rs.getObject("id", UUID.class)))
                .optional();
    }

    // ------------------------------------------------------------------ device certificates

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

    /** Whether this certificate is the one registered for the device. */
    boolean registered(UUID device, String thumbprint) {
        return jdbc.sql("SELECT count(*) FROM device_certificates WHERE device_id = ? AND thumbprint = ?")
                        .params(device, thumbprint)
                        .query(Long.class)
                        .single()
                > 0;
    }

    // ------------------------------------------------------------------ CAs

    void insertCa(TenantId tenant, CertificateRegistry.CaCertificate ca, String pem) {
        jdbc.sql("""
                        INSERT INTO ca_certificates (id, tenant_id, subject, thumbprint, certificate_pem, not_after,
                                                     auto_provision, created_at, verification_code)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(
                        ca.id(),
                        tenant.value(),
                        ca.subject(),
                        ca.thumbprint(),
                        pem,
                        ca.notAfter(),
                        ca.autoProvision(),
                        ca.createdAt(),
                        ca.verificationCode())
                .update();
    }

    List<CertificateRegistry.CaCertificate> cas() {
        return jdbc.sql("SELECT " + CA_COLUMNS + " FROM ca_certificates ORDER BY created_at, id")
                .query((rs, n) -> ca(rs))
                .list();
    }

    Optional<StoredCa> ca(UUID id) {
        return jdbc.sql("SELECT " + CA_COLUMNS + ", certificate_pem FROM ca_certificates WHERE id = ?")
                .param(id)
                .query((rs, n) -> new StoredCa(ca(rs), rs.getString("certificate_pem")))
                .optional();
    }

    boolean markVerified(UUID id, OffsetDateTime now) {
        return jdbc.sql("""
                        UPDATE ca_certificates SET verified_at = ?, verification_code = NULL
                        WHERE id = ? AND verified_at IS NULL""").params(now, id).update() == 1;
    }

    /** The CAs whose possession was proven and that have not expired: the tenant's trust anchors. */
    List<TrustedCa> trustedCas(OffsetDateTime now) {
        return jdbc.sql("""
                        SELECT id, certificate_pem, auto_provision FROM ca_certificates
                        WHERE verified_at IS NOT NULL AND not_after > ?""")
                .param(now)
                .query((rs, n) -> new TrustedCa(
                        rs.getObject("id", UUID.class),
                        rs.getString("certificate_pem"),
                        rs.getBoolean("auto_provision")))
                .list();
    }

    Set<String> revokedSerials(UUID ca) {
        return new HashSet<>(jdbc.sql("SELECT serial_number FROM revoked_certificates WHERE ca_id = ?")
                .param(ca)
                .query(String.class)
                .list());
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

    private static CertificateRegistry.CaCertificate ca(java.sql.ResultSet rs) throws java.sql.SQLException {
        OffsetDateTime verifiedAt = rs.getObject("verified_at", OffsetDateTime.class);
        return new CertificateRegistry.CaCertificate(
                rs.getObject("id", UUID.class),
                rs.getString("subject"),
                rs.getString("thumbprint"),
                rs.getObject("not_after", OffsetDateTime.class),
                rs.getBoolean("auto_provision"),
                rs.getObject("created_at", OffsetDateTime.class),
                verifiedAt != null,
                verifiedAt,
                rs.getString("verification_code"));
    }
}
