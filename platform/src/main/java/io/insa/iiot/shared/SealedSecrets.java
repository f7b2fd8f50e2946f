package io.insa.iiot.shared;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Secrets the platform must be able to read back (a connector's password for its server), sealed at
 * rest with AES-256-GCM. The key is {@code insa.secrets.key} (base64 of 32 bytes) or, without one, a
 * key generated once into the data directory ({@code secrets.key}, mode 0600).
 */
@Component
public class SealedSecrets {

    private static final String KEY_FILE = "secrets.key";
    private static final int NONCE_BYTES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    /** Keys of before a rotation: what they sealed still opens; everything new is sealed with {@link #key}. */
    private final List<SecretKeySpec> previous;

    public SealedSecrets(
            @Value("${insa.secrets.key:}") String configured,
            @Value("${insa.secrets.previous-keys:}") String previousKeys,
            DataDirectory data) {
        String encoded = configured.isBlank()
                ? data.readSecret(KEY_FILE).orElseGet(() -> {
                    byte[] fresh = new byte[32];
                    RANDOM.nextBytes(fresh);
                    String value = Base64.getEncoder().encodeToString(fresh);
                    data.writeSecret(KEY_FILE, value);
                    return value;
                })
                : configured;
        this.key = key("insa.secrets.key", encoded);
        this.previous = java.util.Arrays.stream(previousKeys.split(","))
                .map(String::strip)
                .filter(k -> !k.isEmpty())
                .map(k -> key("insa.secrets.previous-keys", k))
                .toList();
    }

    private static SecretKeySpec key(String setting, String encoded) {
        byte[] bytes = Base64.getDecoder().decode(encoded.strip());
        if (bytes.length != 32) {
            throw new IllegalStateException(setting + " must be the base64 of 32 bytes");
        }
        return new SecretKeySpec(bytes, "AES");
    }

    public String seal(String plain) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder()
                    .encodeToString(ByteBuffer.allocate(nonce.length + sealed.length)
                            .put(nonce)
                            .put(sealed)
                            .array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /** Opens with the current key, or else with a previous one (GCM tells a wrong key apart). */
    public String open(String sealed) {
        byte[] bytes = Base64.getDecoder().decode(sealed);
        GeneralSecurityException last = null;
        for (SecretKeySpec candidate : keys()) {
            try {
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.DECRYPT_MODE, candidate, new GCMParameterSpec(128, bytes, 0, NONCE_BYTES));
                return new String(
                        cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new IllegalStateException("a sealed secret cannot be opened with the configured keys", last);
    }

    private List<SecretKeySpec> keys() {
        List<SecretKeySpec> all = new java.util.ArrayList<>(previous.size() + 1);
        all.add(key);
        all.addAll(previous);
        return all;
    }
}
