package io.insa.iiot.identity;

import io.insa.iiot.shared.Secrets;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
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
 * hashes carry their scheme, {@code {bcrypt}...} or {@code {sha256}...}. A password being set must first
 * pass the {@link PasswordPolicy}.
 */
@Component
class Passwords {

    static final String LEGACY_PREFIX = "{sha256}";
    /** bcrypt reads at most 72 bytes; longer passwords are refused rather than silently cut. */
    static final int MAX_BYTES = 72;

    private static final String DECOY_INPUT = "decoy-comparison";
    /** 22 characters of salt and 31 of digest in bcrypt's base64, from no password in particular. */
    private static final String DECOY_SALT_AND_DIGEST = "Ro0CUfOqk6cXEKf3dyaM7OhSCvnwM9s4wIX9JeLapehKK5YdLxKcm";

    private final PasswordPolicy policy;
    private final DelegatingPasswordEncoder encoder;
    /** Compared against when the account does not exist, so timing does not reveal that. */
    private final String decoy;

    Passwords(@Value("${insa.auth.bcrypt-cost}") int cost, MeterRegistry meters, PasswordPolicy policy) {
        this.policy = policy;
        Timer checks = Timer.builder("insa.auth.password.checks")
                .description("bcrypt password comparisons")
                .register(meters);
        this.encoder = new DelegatingPasswordEncoder(
                "bcrypt", Map.of("bcrypt", new TimedBcrypt(cost, checks), "sha256", new LegacySha256()));
        this.decoy = decoy(cost);
    }

    /**
     * A bcrypt hash of the configured cost to compare against: what a comparison costs depends on the
     * cost alone, not on the hash, so a fixed salt and digest serve (hashing one here took a third of a
     * second of every start).
     */
    static String decoy(int cost) {
        return "{bcrypt}$2a$%02d$%s".formatted(cost, DECOY_SALT_AND_DIGEST);
    }

    String hash(String raw) {
        return encoder.encode(raw);
    }

    /**
     * Checks a password against a stored hash (null when there is no account or no password yet). Every
     * call runs exactly one bcrypt comparison, so the time taken does not tell whether the account
     * exists, is invited or disabled, or has a legacy hash.
     */
    boolean matches(String raw, String stored) {
        boolean legacy = stored != null && stored.startsWith(LEGACY_PREFIX);
        boolean empty = raw == null || raw.isEmpty();
        if (stored == null || legacy || empty || utf8Length(raw) > MAX_BYTES) {
            // the comparison a real account would have cost; its input is not empty, because Spring's
            // encoders answer an empty password at once without hashing (an account-existence oracle)
            encoder.matches(DECOY_INPUT, decoy);
            return legacy && !empty && encoder.matches(raw, stored);
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

    /** True when a password is too long to be rehashed with bcrypt (legacy users may have one). */
    static boolean tooLongForBcrypt(String raw) {
        return utf8Length(raw) > MAX_BYTES;
    }

    /**
     * Refuses a password being set for {@code owner} with a 400 naming every rule it breaks. Here, next to
     * hashing, because every caller that sets a password already holds this class.
     */
    void requireAcceptable(String field, String raw, PasswordPolicy.Owner owner) {
        policy.require(field, raw, owner);
    }

    private static int utf8Length(String raw) {
        return raw.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * bcrypt, timed where a comparison really hashes: Spring's {@code matches} returns early for empty
     * input, so a timer around it would count comparisons that cost nothing.
     */
    private static final class TimedBcrypt extends BCryptPasswordEncoder {

        private final Timer checks;

        TimedBcrypt(int cost, Timer checks) {
            super(cost);
            this.checks = checks;
        }

        @Override
        protected boolean matchesNonNull(String raw, String encoded) {
            return Boolean.TRUE.equals(checks.record(() -> super.matchesNonNull(raw, encoded)));
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
