package io.insa.iiot.shared;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Caps every request body before anything reads it: {@code insa.http.max-body-bytes}, or the
 * {@link BodyLimit} a feature declares for its endpoints. A declared Content-Length over the cap is
 * answered 413 at once, without reading the body; a body without one (chunked) is counted while it is
 * read and the read fails at the cap, which {@link ProblemHandler} answers 413. Runs before every
 * other filter that could read a body (Spring's form filter, the security chain).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class BodySizeFilter extends OncePerRequestFilter {

    private record Rule(String method, List<PathPattern> patterns, long maxBytes) {}

    private final long defaultMaxBytes;
    private final List<Rule> rules;
    private final HandlerExceptionResolver problems;

    BodySizeFilter(
            @Value("${insa.http.max-body-bytes}") long defaultMaxBytes,
            ObjectProvider<BodyLimit> limits,
            @Qualifier("handlerExceptionResolver") HandlerExceptionResolver problems) {
        this.defaultMaxBytes = defaultMaxBytes;
        this.rules = limits.orderedStream()
                .map(limit -> new Rule(
                        limit.method().name(),
                        limit.pathPatterns().stream()
                                .map(PathPatternParser.defaultInstance::parse)
                                .toList(),
                        limit.maxBytes()))
                .toList();
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long maxBytes = maxBytes(request);
        if (maxBytes == BodyLimit.READ_BY_HANDLER) {
            chain.doFilter(request, response);
        } else if (request.getContentLengthLong() > maxBytes) {
            Problems.write(problems, request, response, ProblemException.contentTooLarge(maxBytes));
        } else {
            chain.doFilter(new Capped(request, maxBytes), response);
        }
    }

    private long maxBytes(HttpServletRequest request) {
        PathContainer path = PathContainer.parsePath(
                request.getRequestURI().substring(request.getContextPath().length()));
        return rules.stream()
                .filter(rule -> rule.method().equals(request.getMethod())
                        && rule.patterns().stream().anyMatch(pattern -> pattern.matches(path)))
                .mapToLong(Rule::maxBytes)
                .findFirst()
                .orElse(defaultMaxBytes);
    }

    /** The request with a body stream that fails once more than the cap has been read. */
    private static final class Capped extends HttpServletRequestWrapper {

        private final long maxBytes;
        private ServletInputStream stream;

        Capped(HttpServletRequest request, long maxBytes) {
            super(request);
            this.maxBytes = maxBytes;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new CountingStream(super.getInputStream(), maxBytes);
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }

    private static final class CountingStream extends ServletInputStream {

        private final ServletInputStream in;
        private final long maxBytes;
        private long read;

        CountingStream(ServletInputStream in, long maxBytes) {
            this.in = in;
            this.maxBytes = maxBytes;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws BodyTooLargeException {
            read += n;
            if (read > maxBytes) {
                throw new BodyTooLargeException(maxBytes);
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
