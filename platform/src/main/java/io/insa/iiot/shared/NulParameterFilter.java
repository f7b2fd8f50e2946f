package io.insa.iiot.shared;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Refuses a NUL character (U+0000, {@code %00}) in any query parameter with a 400 naming the
 * parameter. PostgreSQL text cannot hold it, so a filter value carrying one would otherwise fail in
 * the database as a 500; checked here once instead of in every endpoint.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 11)
class NulParameterFilter extends OncePerRequestFilter {

    private final HandlerExceptionResolver problems;

    NulParameterFilter(@Qualifier("handlerExceptionResolver") HandlerExceptionResolver problems) {
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String query = request.getQueryString();
        // the only way to put a NUL into a query string is %00: Tomcat refuses a raw one
        if (query != null && query.contains("%00")) {
            for (String parameter : query.split("&")) {
                if (parameter.contains("%00")) {
                    Problems.write(
                            problems,
                            request,
                            response,
                            ProblemException.badRequest(name(parameter), "must not contain the NUL character (%00)"));
                    return;
                }
            }
        }
        chain.doFilter(request, response);
    }

    /** The parameter's name as the API documents it (decoded), or as sent when the name itself holds the NUL. */
    private static String name(String parameter) {
        int eq = parameter.indexOf('=');
        String raw = eq < 0 ? parameter : parameter.substring(0, eq);
        if (raw.contains("%00")) {
            return raw;
        }
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return raw;
        }
    }
}
