package io.insa.iiot.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealedSecretsTest {

    @TempDir
    Path dir;

    @Test
    void afterARotationWhatTheOldKeySealedStillOpensAndNewSealsUseTheNewKey() {
        String oldKey = newKey();
        String newKey = newKey();
        SealedSecrets before = new SealedSecrets(oldKey, "", new DataDirectory(dir));
        String sealedBefore = before.seal("opc-ua-password");

        SealedSecrets after = new SealedSecrets(newKey, oldKey, new DataDirectory(dir));
        assertThat(after.open(sealedBefore)).isEqualTo("opc-ua-password");
        String sealedAfter = after.seal("webhook-secret");
        assertThatThrownBy(() -> before.open(sealedAfter))
                .as("sealed with the new key only")
                .isInstanceOf(IllegalStateException.class);

        SealedSecrets withoutOldKey = new SealedSecrets(newKey, "", new DataDirectory(dir));
        assertThat(withoutOldKey.open(sealedAfter)).isEqualTo("webhook-secret");
        assertThatThrownBy(() -> withoutOldKey.open(sealedBefore)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void withoutAConfiguredKeyOneIsGeneratedOnceIntoTheDataDirectory() {
        String sealed = new SealedSecrets("", "", new DataDirectory(dir)).seal("x");
        assertThat(new SealedSecrets("", "", new DataDirectory(dir)).open(sealed))
                .isEqualTo("x");
    }

    private static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
