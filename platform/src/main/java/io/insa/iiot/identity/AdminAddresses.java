package io.insa.iiot.identity;

import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Cidrs;
import io.insa.iiot.shared.ClientInfo;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.util.matcher.IpAddressMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * System administrators act only from the addresses of {@code insa.security.admin-allowed-cidrs}
 * (empty: from anywhere). Checked on every authenticated request of a system admin, after the token
 * was read; the address is the client's as {@link io.insa.iiot.shared.ForwardedClients} resolved it.
 */
class AdminAddresses extends OncePerRequestFilter {

    static final String SETTING = "insa.security.admin-allowed-cidrs";

    private final List<IpAddressMatcher> allowed;
    private final String configured;
    private final SecurityConfiguration.ProblemWriter problems;

    AdminAddresses(String configured, SecurityConfiguration.ProblemWriter problems) {
        this.allowed = Cidrs.parse(SETTING, configured);
        this.configured = configured.strip();
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!allowed.isEmpty()
                && SecurityContextHolder.getContext().getAuthentication() instanceof CallerAuthentication auth
                && auth.getPrincipal() instanceof Caller caller
                && caller.systemAdmin()) {
            String address = ClientInfo.of(request).ip();
            if (!Cidrs.contains(allowed, address)) {
                problems.write(
                        response,
                        HttpStatus.FORBIDDEN,
                        "system administrator operations are allowed only from " + SETTING + " (" + configured
                                + "); this request came from " + address);
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
