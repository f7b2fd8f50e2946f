package io.insa.iiot.shared;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Failures that say the database is unreachable or gave up for now (connection lost, pool exhausted, a
 * transaction that could not begin, commit or roll back, a deadlock or timeout): the same work may
 * succeed later. The REST API answers them 503 ({@link ProblemHandler}); the ingest writer retries.
 */
public final class DatabaseUnavailable {

    private DatabaseUnavailable() {}

    public static boolean isCauseOf(Throwable failure) {
        return failure instanceof DataAccessResourceFailureException
                || failure instanceof TransientDataAccessException
                || failure instanceof CannotCreateTransactionException
                || failure instanceof TransactionSystemException;
    }
}
