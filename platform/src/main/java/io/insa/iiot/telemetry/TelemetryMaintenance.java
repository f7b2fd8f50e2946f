package io.insa.iiot.telemetry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Component;

/**
 * Telemetry maintenance (compaction, retention) runs on one node of a cluster at a time, and never two
 * kinds at once: a session-level PostgreSQL advisory lock, held by one connection for the whole run. A
 * node that dies mid-run loses its connection, and the lock with it.
 */
@Component
class TelemetryMaintenance {

    /** The advisory lock's key: "telemetry maintenance", fixed. */
    static final long LOCK = 0x7465_6c65_6d61_696eL;

    private final DataSource dataSource;

    TelemetryMaintenance(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs {@code work} holding the lock, or not at all when another run holds it: false then. */
    boolean runIfFree(Runnable work) {
        return run(work, false);
    }

    /** Runs {@code work} holding the lock, waiting for another run to end first. */
    void runWhenFree(Runnable work) {
        run(work, true);
    }

    private boolean run(Runnable work, boolean wait) {
        try (Connection c = dataSource.getConnection()) {
            if (wait) {
                call(c, "SELECT true::text FROM pg_advisory_lock(?)");
            } else if (!Boolean.parseBoolean(call(c, "SELECT pg_try_advisory_lock(?)::text"))) {
                return false;
            }
            try {
                work.run();
                return true;
            } finally {
                call(c, "SELECT pg_advisory_unlock(?)::text");
            }
        } catch (SQLException e) {
            throw new DataAccessResourceFailureException("telemetry maintenance lock", e);
        }
    }

    private static String call(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, LOCK);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
