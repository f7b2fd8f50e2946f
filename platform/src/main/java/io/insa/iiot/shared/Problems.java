package io.insa.iiot.shared;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.servlet.HandlerExceptionResolver;

/** Refusals decided in a servlet filter, answered by {@link ProblemHandler} like any other. */
final class Problems {

    private Problems() {}

    static void write(
            HandlerExceptionResolver resolver,
            HttpServletRequest request,
            HttpServletResponse response,
            ProblemException problem)
            throws IOException {
        if (resolver.resolveException(request, response, null, problem) == null) {
            response.sendError(problem.status(), problem.detail());
        }
    }
}
