package io.insa.iiot.tenancy;

import io.insa.iiot.shared.Role;
import io.insa.iiot.shared.TenantId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Memberships: tenant-owned, so every statement but {@link #ofUser} sees the current tenant only. */
@Repository
class MembershipRepository {

    private final JdbcClient jdbc;

    MembershipRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Every tenant of a user, through the named cross-tenant function. */
    List<Membership> ofUser(UUID userId) {
        return jdbc.sql("SELECT tenant_id, ? AS user_id, role, joined_at FROM app_memberships_of(?)")
                .params(userId, userId)
                .query(MembershipRepository::map)
                .list();
    }

    Optional<Membership> find(UUID userId) {
        return jdbc.sql("SELECT * FROM memberships WHERE user_id = ?")
                .param(userId)
                .query(MembershipRepository::map)
                .optional();
    }

    List<Membership> page(int limit, long offset) {
        return jdbc.sql("SELECT * FROM memberships ORDER BY joined_at, user_id LIMIT ? OFFSET ?")
                .params(limit, offset)
                .query(MembershipRepository::map)
                .list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM memberships").query(Long.class).single();
    }

    /** Admin rows locked until the end of the transaction, so two demotions cannot both pass. */
    List<UUID> lockAdmins() {
        return jdbc.sql("SELECT user_id FROM memberships WHERE role = 'admin' ORDER BY user_id FOR UPDATE")
                .query(UUID.class)
                .list();
    }

    boolean insert(Membership m) {
        return jdbc.sql("INSERT INTO memberships (tenant_id, user_id, role, joined_at) VALUES (?, ?, ?, ?) "
                                + "ON CONFLICT DO NOTHING")
                        .params(m.tenantId().value(), m.userId(), m.role().value(), m.joinedAt())
                        .update()
                == 1;
    }

    void updateRole(UUID userId, Role role) {
        jdbc.sql("UPDATE memberships SET role = ? WHERE user_id = ?")
                .params(role.value(), userId)
                .update();
    }

    void delete(UUID userId) {
        jdbc.sql("DELETE FROM memberships WHERE user_id = ?").param(userId).update();
    }

    private static Membership map(ResultSet rs, int row) throws SQLException {
        return new Membership(
                TenantId.of(rs.getObject("tenant_id", UUID.class)),
                rs.getObject("user_id", UUID.class),
                Role.of(rs.getString("role")),
                rs.getObject("joined_at", OffsetDateTime.class));
    }
}
