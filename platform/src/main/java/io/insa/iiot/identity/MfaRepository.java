package io.insa.iiot.identity;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The rows of TOTP MFA: a user's sealed secret and its last accepted time step, and recovery-code hashes. */
@Repository
class MfaRepository {

    /** A user's TOTP secret (sealed); {@code confirmedAt} null while enrolment awaits its first code. */
    record Enrolment(UUID userId, String secretSealed, OffsetDateTime confirmedAt, long lastStep) {}

    private final JdbcClient jdbc;

    MfaRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Enrolment> find(UUID userId) {
        return jdbc.sql("SELECT user_id, secret_sealed, confirmed_at, last_step FROM user_mfa WHERE user_id = ?")
                .param(userId)
                .query((rs, n) -> new Enrolment(
                        rs.getObject("user_id", UUID.class),
                        rs.getString("secret_sealed"),
                        rs.getObject("confirmed_at", OffsetDateTime.class),
                        rs.getLong("last_step")))
                .optional();
    }

    /** Starts (or restarts) an unconfirmed enrolment; a confirmed one is the caller's to refuse first. */
    void begin(UUID userId, String secretSealed, OffsetDateTime now) {
        jdbc.sql("""
                        INSERT INTO user_mfa (user_id, secret_sealed, created_at) VALUES (?, ?, ?)
                        ON CONFLICT (user_id) DO UPDATE SET secret_sealed = excluded.secret_sealed,
                               confirmed_at = NULL, last_step = 0, created_at = excluded.created_at""").params(userId, secretSealed, now).update();
    }

    void confirm(UUID userId, OffsetDateTime now) {
        jdbc.sql("UPDATE user_mfa SET confirmed_at = ? WHERE user_id = ?")
                .params(now, userId)
                .update();
    }

    /** Accepts a time step once: true only for the first caller with a step newer than any accepted. */
    boolean spendStep(UUID userId, long step) {
        return jdbc.sql("UPDATE user_mfa SET last_step = ? WHERE user_id = ? AND last_step < ?")
                        .params(step, userId, step)
                        .update()
                == 1;
    }

    void replaceRecoveryCodes(UUID userId, List<String> hashes) {
        jdbc.sql("DELETE FROM mfa_recovery_codes WHERE user_id = ?")
                .param(userId)
                .update();
        for (String hash : hashes) {
            jdbc.sql("INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES (?, ?)")
                    .params(userId, hash)
                    .update();
        }
    }

    /** Spends a recovery code: true only the first time an unused code is presented. */
    boolean spendRecoveryCode(UUID userId, String hash, OffsetDateTime now) {
        return jdbc.sql("""
                                UPDATE mfa_recovery_codes SET used_at = ?
                                WHERE user_id = ? AND code_hash = ? AND used_at IS NULL""").params(now, userId, hash).update() == 1;
    }

    long unusedRecoveryCodes(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ? AND used_at IS NULL")
                .param(userId)
                .query(Long.class)
                .single();
    }

    void delete(UUID userId) {
        jdbc.sql("DELETE FROM mfa_recovery_codes WHERE user_id = ?")
                .param(userId)
                .update();
        jdbc.sql("DELETE FROM user_mfa WHERE user_id = ?").param(userId).update();
    }
}
