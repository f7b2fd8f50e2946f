package io.insa.iiot.shared;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.web.util.matcher.IpAddressMatcher;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code X-Forwarded-For} is believed only from the reverse proxies named in {@code
 * insa.security.trusted-proxies} (IPv4 and IPv6 CIDRs): from one of them, the client is the right-most
 * address of the header that is not itself a trusted proxy; from anyone else the header is ignored,
 * so a client cannot choose the address that rate limits, allow-lists and the audit log see.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ForwardedClients extends OncePerRequestFilter {

    private final List<IpAddressMatcher> trusted;

    public ForwardedClients(@Value("${insa.security.trusted-proxies:}") String trustedProxies) {
        this.trusted = Cidrs.parse("insa.security.trusted-proxies", trustedProxies);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String forwarded = request.getHeader("X-Forwarded-For");
        if (forwarded == null || trusted.isEmpty() || !Cidrs.contains(trusted, request.getRemoteAddr())) {
            chain.doFilter(request, response);
            return;
        }
        String client = client(forwarded);
        chain.doFilter(
                new HttpServletRequestWrapper(request) {
                    @Override
                    public String getRemoteAddr() {
                        return client;
                    }

                    @Override
                    public String getRemoteHost() {
                        return client;
                    }
                },
                response);
    }

    /** The right-most address that is not a trusted proxy (the left-most when all are). */
    private String client(String forwarded) {
        List<String> hops = Arrays.stream(forwarded.split(","))
                .map(String::strip)
                .filter(hop -> !hop.isEmpty())
                .toList();
        for (int i = hops.size() - 1; i >= 0; i--) {
            if (!Cidrs.contains(trusted, hops.get(i))) {
                return hops.get(i);
            }
        }
        return hops.getFirst();
    }
}
