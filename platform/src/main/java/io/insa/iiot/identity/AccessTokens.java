package io.insa.iiot.identity;

import io.insa.iiot.shared.Role;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.stereotype.Component;

/** Issues the short-lived access tokens (JWT, HS256) with the claims of SPEC 3.5. */
@Component
class AccessTokens {

    /** The tenant a token acts in. */
    record ActiveTenant(UUID id, String slug, Role role) {}

    private final JwtEncoder encoder;
    private final Clock clock;
    private final Duration ttl;

    AccessTokens(JwtEncoder encoder, Clock clock, @Value("${insa.jwt.access-token-ttl}") Duration ttl) {
        this.encoder = encoder;
        this.clock = clock;
        this.ttl = ttl;
    }

    Duration ttl() {
        return ttl;
    }

    String issue(UserAccount user, ActiveTenant tenant, UUID sessionId) {
        Instant now = clock.instant();
        JwtClaimsSet.Builder claims = JwtClaimsSet.builder()
                .issuer("insa-iiot")
                .subject(user.id().toString())
                .id(UUID.randomUUID().toString())
                .issuedAt(now)
                .expiresAt(now.plus(ttl))
                .claim("email", user.email())
                .claim("sid", sessionId.toString())
                .claim("is_admin", user.admin());
        if (tenant != null) {
            claims.claim("tenant_id", tenant.id().toString())
                    .claim("tenant_slug", tenant.slug())
                    .claim("role", tenant.role().value())
                    .claim("is_tenant_admin", tenant.role().isAdmin())
                    .claim("permissions", tenant.role().permissions());
        } else {
            claims.claim("permissions", List.of());
        }
        JwsHeader header = JwsHeader.with(MacAlgorithm.HS256).build();
        return encoder.encode(JwtEncoderParameters.from(header, claims.build())).getTokenValue();
    }
}
