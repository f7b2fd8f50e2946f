package io.insa.iiot.identity;

import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.Secrets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Password hashing: bcrypt for everything new; unsalted SHA-256 hex only to verify users imported from
 * the legacy platform, whose hashes are replaced by bcrypt at their next successful login. Stored
 * hashes carry their scheme, {@code {bcrypt}...} or {@code {sha256}...}.
 */
@Component
class Passwords {

    static final String LEGACY_PREFIX = "{sha256}";
    static final int MIN_LENGTH = 8;
    static final int MAX_LENGTH = 128;

    private final DelegatingPasswordEncoder encoder;
    /** Compared against when the account does not exist, so timing does not reveal that. */
    private final String decoy;

    Passwords(@Value("${insa.auth.bcrypt-cost}") int cost) {
        this.encoder = new DelegatingPasswordEncoder(
                "bcrypt", Map.of("bcrypt", new BCryptPasswordEncoder(cost), "sha256", new LegacySha256()));
        this.decoy = encoder.encode(Secrets.newToken());
    }

    String hash(String raw) {
        return encoder.encode(raw);
    }

    boolean matches(String raw, String stored) {
        if (stored == null) {
            encoder.matches(raw, decoy);
            return false;
        }
        return encoder.matches(raw, stored);
    }

    /** True for legacy hashes and for bcrypt hashes of a lower cost than configured. */
    boolean needsRehash(String stored) {
        return encoder.upgradeEncoding(stored);
    }

    static String legacy(String sha256Hex) {
        return LEGACY_PREFIX + sha256Hex.toLowerCase(java.util.Locale.ROOT);
    }

    /** The password rules every new password meets (length; more arrive with the hardening work). */
    static void requireAcceptable(String field, String raw) {
        if (raw == null || raw.length() < MIN_LENGTH || raw.length() > MAX_LENGTH) {
            throw ProblemException.badRequest(field, "must be " + MIN_LENGTH + " to " + MAX_LENGTH + " characters");
        }
    }

    /** Verifies unsalted SHA-256 hex hashes; never produces one. */
    private static final class LegacySha256 implements PasswordEncoder {

        @Override
        public String encode(CharSequence raw) {
            throw new UnsupportedOperationException("legacy hashes are verified, never created");
        }

        @Override
        public boolean matches(CharSequence raw, String hex) {
            byte[] expected;
            try {
                expected = HexFormat.of().parseHex(hex);
            } catch (IllegalArgumentException e) {
                return false;
            }
            byte[] actual = HexFormat.of().parseHex(Secrets.sha256Hex(raw.toString()));
            return MessageDigest.isEqual(expected, actual);
        }

        @Override
        public boolean upgradeEncoding(String encoded) {
            return true;
        }
    }
}
