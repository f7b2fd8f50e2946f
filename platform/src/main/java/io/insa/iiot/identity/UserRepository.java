package io.insa.iiot.identity;

import io.insa.iiot.shared.UserStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The global users table. E-mails are stored lower-case. */
@Repository
class UserRepository {

    private final JdbcClient jdbc;

    UserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<UserAccount> find(UUID id) {
        return jdbc.sql("SELECT * FROM users WHERE id = ?")
                .param(id)
                .query(UserRepository::map)
                .optional();
    }

    Optional<UserAccount> findByEmail(String email) {
        return jdbc.sql("SELECT * FROM users WHERE email = ?")
                .param(email)
                .query(UserRepository::map)
                .optional();
    }

    List<UserAccount> findAll(List<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("SELECT * FROM users WHERE id = ANY(?)")
                .param(ids.toArray(UUID[]::new))
                .query(UserRepository::map)
                .list();
    }

    boolean anySystemAdmin() {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM users WHERE is_admin)")
                .query(Boolean.class)
                .single();
    }

    /** Inserts unless the e-mail is taken; false when it was. */
    boolean insert(UserAccount u) {
        return jdbc.sql("""
                                INSERT INTO users (id, email, name, password_hash, is_admin, status, mfa_enabled, created_at)
                                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING""")
                        .params(
                                u.id(),
                                u.email(),
                                u.name(),
                                u.passwordHash(),
                                u.admin(),
                                u.status().value(),
                                u.mfaEnabled(),
                                u.createdAt())
                        .update()
                == 1;
    }

    void updatePassword(UUID id, String hash) {
        jdbc.sql("UPDATE users SET password_hash = ? WHERE id = ?")
                .params(hash, id)
                .update();
    }

    void updateMfaEnabled(UUID id, boolean enabled) {
        jdbc.sql("UPDATE users SET mfa_enabled = ? WHERE id = ?")
                .params(enabled, id)
                .update();
    }

    /** Activates an account that is still invited; false when it is not (any more). */
    boolean activate(UUID id, String name, String hash) {
        return jdbc.sql(
                                "UPDATE users SET name = ?, password_hash = ?, status = 'active' WHERE id = ? AND status = 'invited'")
                        .params(name, hash, id)
                        .update()
                == 1;
    }

    void recordSuccessfulLogin(UUID id, OffsetDateTime at) {
        jdbc.sql("UPDATE users SET last_login_at = ? WHERE id = ?")
                .params(at, id)
                .update();
    }

    private static UserAccount map(ResultSet rs, int row) throws SQLException {
        return new UserAccount(
                rs.getObject("id", UUID.class),
                rs.getString("email"),
                rs.getString("name"),
                rs.getString("password_hash"),
                rs.getBoolean("is_admin"),
                UserStatus.of(rs.getString("status")),
                rs.getBoolean("mfa_enabled"),
                rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("last_login_at", OffsetDateTime.class));
    }
}
