package io.insa.iiot.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCrypt;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/** The decoy compared against when there is no account: a comparison with it costs what a real one does. */
class PasswordsTest {

    private static final String PREFIX = "{bcrypt}";

    @Test
    void theDecoyCarriesTheConfiguredCost() {
        assertThat(Passwords.decoy(12)).startsWith(PREFIX + "$2a$12$");
        assertThat(Passwords.decoy(4)).startsWith(PREFIX + "$2a$04$");
    }

    @Test
    void theDecoyIsAWellFormedBcryptHashThatAComparisonReallyHashes() {
        String decoy = Passwords.decoy(4).substring(PREFIX.length());
        // Spring's encoder answers a hash that does not look like bcrypt at once, without hashing: it throws here
        assertThat(new BCryptPasswordEncoder(4).upgradeEncoding(decoy)).isFalse();
        assertThat(new BCryptPasswordEncoder(5).upgradeEncoding(decoy)).isTrue();
        // BCrypt itself throws on a malformed salt; a well-formed one is hashed and compared
        assertThat(BCrypt.checkpw("decoy-comparison", decoy)).isFalse();
    }
}
