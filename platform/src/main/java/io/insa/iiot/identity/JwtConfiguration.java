package io.insa.iiot.identity;

import io.insa.iiot.shared.DataDirectory;
import io.insa.iiot.shared.Secrets;
import java.nio.charset.StandardCharsets;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * The HS256 key of access tokens. It comes from {@code insa.jwt.secret}; a development install without
 * one generates it once into the data directory so tokens survive restarts. The {@code prod} profile
 * refuses to start without a strong configured secret.
 */
@Configuration(proxyBeanMethods = false)
class JwtConfiguration {

    static final String SECRET_FILE = "jwt-secret";
    static final int MIN_SECRET_BYTES = 32;
    private static final Logger log = LoggerFactory.getLogger(JwtConfiguration.class);

    @Bean
    SecretKey accessTokenKey(@Value("${insa.jwt.secret:}") String configured, DataDirectory dataDir, Environment env) {
        boolean prod = env.acceptsProfiles(Profiles.of("prod"));
        String secret = configured;
        if (secret.isBlank()) {
            if (prod) {
                throw new IllegalStateException("insa.jwt.secret (INSA_JWT_SECRET) must be set in the prod profile");
            }
            secret = dataDir.readSecret(SECRET_FILE).orElseGet(() -> {
                String generated = Secrets.newToken() + Secrets.newToken();
                log.info("generated a JWT signing secret in {}", dataDir.writeSecret(SECRET_FILE, generated));
                return generated;
            });
        }
        String weakness = weakness(secret);
        if (weakness != null) {
            throw new IllegalStateException("insa.jwt.secret is too weak: " + weakness);
        }
        return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** Why a secret is unfit for HS256, or null. */
    static String weakness(String secret) {
        if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            return "it must be at least " + MIN_SECRET_BYTES + " bytes";
        }
        if (secret.chars().distinct().count() < 12) {
            return "it repeats too few distinct characters";
        }
        return null;
    }

    @Bean
    JwtDecoder jwtDecoder(SecretKey accessTokenKey) {
        return NimbusJwtDecoder.withSecretKey(accessTokenKey)
                .macAlgorithm(MacAlgorithm.HS256)
                .build();
    }

    @Bean
    JwtEncoder jwtEncoder(SecretKey accessTokenKey) {
        return NimbusJwtEncoder.withSecretKey(accessTokenKey).build();
    }
}
