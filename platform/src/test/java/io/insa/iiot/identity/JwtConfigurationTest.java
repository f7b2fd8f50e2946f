package io.insa.iiot.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

class JwtConfigurationTest {

    @TempDir
    Path dataDir;

    private final JwtConfiguration configuration = new JwtConfiguration();

    @Test
    void prodProfileRefusesToStartWithoutASecret() {
        assertThatThrownBy(() -> configuration.accessTokenKey("", dataDirectory(), prod()))
                .hasMessageContaining("must be set in the prod profile");
        assertThat(dataDir.resolve(JwtConfiguration.SECRET_FILE)).doesNotExist();
    }

    @Test
    void weakSecretsAreRefused() {
        assertThatThrownBy(() -> configuration.accessTokenKey("short-secret", dataDirectory(), prod()))
                .hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> configuration.accessTokenKey("a".repeat(64), dataDirectory(), new MockEnvironment()))
                .hasMessageContaining("too few distinct characters");
    }

    @Test
    void strongConfiguredSecretIsUsedInProd() {
        SecretKey key =
                configuration.accessTokenKey("0123456789abcdefghijklmnopqrstuvwxyzABCDEF", dataDirectory(), prod());
        assertThat(key.getAlgorithm()).isEqualTo("HmacSHA256");
    }

    @Test
    void developmentInstallGeneratesTheSecretOnceAndKeepsItPrivate() throws Exception {
        SecretKey first = configuration.accessTokenKey("", dataDirectory(), new MockEnvironment());
        SecretKey second = configuration.accessTokenKey("", dataDirectory(), new MockEnvironment());
        assertThat(second.getEncoded()).isEqualTo(first.getEncoded());
        Path file = dataDir.resolve(JwtConfiguration.SECRET_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
    }

    private io.insa.iiot.shared.DataDirectory dataDirectory() {
        return new io.insa.iiot.shared.DataDirectory(dataDir);
    }

    private static MockEnvironment prod() {
        MockEnvironment env = new MockEnvironment();
        env.setActiveProfiles("prod");
        return env;
    }
}
