package io.insa.iiot.shared;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.NestedRuntimeException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;

/** Turns every input error into problem+json whose detail names the offending field. */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Duration DATABASE_RETRY = Duration.ofSeconds(5);
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ProblemHandler.class);
    private static final Set<String> NUL_STATES = Set.of("22021", "22P05");

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        var first = ex.getBindingResult().getFieldErrors().stream().findFirst();
        String field = first.map(e -> toSnakeCase(e.getField())).orElse("body");
        String detail = ex.getBindingResult().getFieldErrors().stream()
                .map(e -> toSnakeCase(e.getField()) + ": " + e.getDefaultMessage())
                .collect(Collectors.joining("; "));
        return problem(field, detail.isEmpty() ? "invalid request body" : detail);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        var result = ex.getParameterValidationResults().stream().findFirst();
        String field =
                result.map(r -> r.getMethodParameter().getParameterName()).orElse("request");
        String message = result.flatMap(r -> r.getResolvableErrors().stream().findFirst())
                .map(e -> e.getDefaultMessage())
                .orElse("invalid value");
        return problem(field, field + ": " + message);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable t = ex.getCause(); t != null; t = t.getCause()) {
            if (t instanceof BodyTooLargeException tooLarge) {
                return tooLarge(tooLarge);
            }
        }
        JacksonException jackson = null;
        for (Throwable t = ex.getCause(); t != null && jackson == null; t = t.getCause()) {
            if (t instanceof JacksonException j) {
                jackson = j;
            }
        }
        if (jackson == null || jackson instanceof StreamReadException) {
            return problem("body", "body: malformed JSON");
        }
        String field = jackson.getPath().stream()
                .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
        if (field.isEmpty()) {
            return problem("body", "body: " + jackson.getOriginalMessage());
        }
        String reason = jackson instanceof tools.jackson.databind.exc.UnrecognizedPropertyException
                ? "unknown field"
                : rootMessage(jackson);
        return problem(field, field + ": " + reason);
    }

    /** Anything unexpected: logged with its stack, answered without one. */
    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception ex) {
        log.error("unexpected error", ex);
        ProblemDetail body = ProblemDetail.forStatusAndDetail(
                HttpStatus.INTERNAL_SERVER_ERROR, "internal error; the details are in the server log");
        return ResponseEntity.internalServerError().body(body);
    }

    /**
     * The database is unreachable or gave up for now (connection lost, pool exhausted, a transaction that
     * could not begin, commit or roll back): try again later. The same classes as {@link
     * DatabaseUnavailable#isCauseOf}.
     */
    @ExceptionHandler({
        DataAccessResourceFailureException.class,
        TransientDataAccessException.class,
        CannotCreateTransactionException.class,
        TransactionSystemException.class
    })
    ResponseEntity<Object> databaseUnavailable(NestedRuntimeException ex) {
        log.warn(
                "database unavailable: {}",
                NestedExceptionUtils.getMostSpecificCause(ex).getMessage());
        ProblemException unavailable = ProblemException.of(
                HttpStatus.SERVICE_UNAVAILABLE, "the database is not reachable right now; retry", DATABASE_RETRY);
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .headers(unavailable.getHeaders())
                .body(unavailable.getBody());
    }

    /** The capped body stream failed where a handler read it directly. */
    @ExceptionHandler(BodyTooLargeException.class)
    ResponseEntity<Object> tooLarge(BodyTooLargeException ex) {
        ProblemException problem = ex.problem();
        return ResponseEntity.status(problem.getStatusCode()).body(problem.getBody());
    }

    /**
     * PostgreSQL text and jsonb cannot hold U+0000 (SQLSTATE 22021 and 22P05). Query parameters are
     * refused before (NulParameterFilter, which names them); what still arrives here came in a body.
     */
    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<Object> dataIntegrity(DataIntegrityViolationException ex) {
        if (NestedExceptionUtils.getMostSpecificCause(ex) instanceof SQLException sql
                && NUL_STATES.contains(sql.getSQLState())) {
            return problem("body", "body: text must not contain the NUL character (U+0000)");
        }
        return unexpected(ex);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException ex) {
        return problem(ex.getName(), ex.getName() + ": invalid value '" + ex.getValue() + "'");
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof JacksonException j) {
            return j.getOriginalMessage();
        }
        return root.getMessage() != null ? root.getMessage() : "invalid value";
    }

    private static ResponseEntity<Object> problem(String field, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        body.setProperty("field", field);
        return ResponseEntity.badRequest().body(body);
    }

    private static String toSnakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
