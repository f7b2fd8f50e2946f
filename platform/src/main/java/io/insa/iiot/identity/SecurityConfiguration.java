package io.insa.iiot.identity;

import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Role;
import io.insa.iiot.shared.TenantId;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who may call what: bearer access tokens (users) and {@code X-API-Key} (integrations); every error as
 * problem+json. Fine-grained rules (tenant membership, roles, scopes) are checked by the features.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    static final String API_KEY_HEADER = "X-API-Key";

    @Bean
    SecurityFilterChain api(
            HttpSecurity http,
            AuthSessions sessions,
            ApiKeys apiKeys,
            JsonMapper json,
            @Value("${" + AdminAddresses.SETTING + ":}") String adminAllowedCidrs)
            throws Exception {
        ProblemWriter problems = new ProblemWriter(json);
        http.csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(auth -> auth.requestMatchers(
                                HttpMethod.POST,
                                "/api/v1/auth/login",
                                "/api/v1/auth/refresh",
                                "/api/v1/auth/accept-invite")
                        .permitAll()
                        .requestMatchers(
                                "/api/v1/health",
                                "/actuator/health/**",
                                "/actuator/info",
                                "/actuator/prometheus",
                                "/actuator/startup")
                        .permitAll()
                        .requestMatchers("/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**")
                        .permitAll()
                        .requestMatchers("/error")
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, InvitationPage.PATH)
                        .permitAll()
                        // the device API: the token in the path is the credential, checked by the transport
                        .requestMatchers(
                                HttpMethod.POST,
                                "/api/v1/*/telemetry",
                                "/api/v1/*/attributes",
                                "/api/v1/*/rpc",
                                "/api/v1/*/rpc/*")
                        .permitAll()
                        .requestMatchers(
                                HttpMethod.GET, "/api/v1/*/rpc", "/api/v1/*/attributes", "/api/v1/*/attributes/updates")
                        .permitAll()
                        .anyRequest()
                        .authenticated())
                .oauth2ResourceServer(rs -> rs.jwt(jwt -> jwt.jwtAuthenticationConverter(new JwtToCaller(sessions)))
                        .authenticationEntryPoint((request, response, e) ->
                                problems.write(response, HttpStatus.UNAUTHORIZED, unauthorizedDetail(e)))
                        .accessDeniedHandler((request, response, e) ->
                                problems.write(response, HttpStatus.FORBIDDEN, "access denied")))
                .exceptionHandling(ex -> ex.authenticationEntryPoint((request, response, e) ->
                                problems.write(response, HttpStatus.UNAUTHORIZED, "authentication required"))
                        .accessDeniedHandler((request, response, e) ->
                                problems.write(response, HttpStatus.FORBIDDEN, "access denied")))
                .addFilterBefore(new ApiKeyFilter(apiKeys, problems), BearerTokenAuthenticationFilter.class)
                .addFilterAfter(new AdminAddresses(adminAllowedCidrs, problems), BearerTokenAuthenticationFilter.class)
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(
                                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                        + "frame-ancestors 'none'; form-action 'self'"))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)));
        return http.build();
    }

    private static String unauthorizedDetail(Exception e) {
        return e instanceof InvalidBearerTokenException
                ? "invalid access token: " + e.getMessage()
                : "authentication required";
    }

    /** Access token claims to a {@link Caller}; tokens of a revoked session are refused. */
    record JwtToCaller(AuthSessions sessions) implements Converter<Jwt, AbstractAuthenticationToken> {

        @Override
        public AbstractAuthenticationToken convert(Jwt jwt) {
            UUID sessionId = UUID.fromString(jwt.getClaimAsString("sid"));
            if (!sessions.isActive(sessionId)) {
                throw new InvalidBearerTokenException("the session has ended");
            }
            String tenant = jwt.getClaimAsString("tenant_id");
            String role = jwt.getClaimAsString("role");
            return new CallerAuthentication(new Caller(
                    UUID.fromString(jwt.getSubject()),
                    null,
                    jwt.getClaimAsString("email"),
                    Boolean.TRUE.equals(jwt.getClaimAsBoolean("is_admin")),
                    tenant == null ? null : TenantId.parse(tenant),
                    role == null ? null : Role.of(role),
                    Set.of(),
                    sessionId));
        }
    }

    /** {@code X-API-Key}: a valid key authenticates the request; an invalid one ends it with 401. */
    static final class ApiKeyFilter extends OncePerRequestFilter {

        private final ApiKeys apiKeys;
        private final ProblemWriter problems;

        ApiKeyFilter(ApiKeys apiKeys, ProblemWriter problems) {
            this.apiKeys = apiKeys;
            this.problems = problems;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String key = request.getHeader(API_KEY_HEADER);
            if (key == null) {
                chain.doFilter(request, response);
                return;
            }
            var caller = apiKeys.authenticate(key.strip());
            if (caller.isEmpty()) {
                problems.write(response, HttpStatus.UNAUTHORIZED, "invalid, expired or revoked API key");
                return;
            }
            SecurityContextHolder.getContext().setAuthentication(new CallerAuthentication(caller.get()));
            try {
                chain.doFilter(request, response);
            } finally {
                SecurityContextHolder.clearContext();
            }
        }
    }

    /** Writes problem+json outside Spring MVC (in the security filters). */
    record ProblemWriter(JsonMapper json) {

        void write(HttpServletResponse response, HttpStatus status, String detail) throws IOException {
            if (status == HttpStatus.UNAUTHORIZED) {
                response.setHeader("WWW-Authenticate", "Bearer");
            }
            response.setStatus(status.value());
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("type", "about:blank");
            body.put("title", status.getReasonPhrase());
            body.put("status", status.value());
            body.put("detail", detail);
            json.writeValue(response.getOutputStream(), body);
        }
    }
}
