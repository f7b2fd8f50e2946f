package io.insa.iiot.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A throwaway PostgreSQL database for one test JVM, created by the owner role and dropped at exit.
 * Credentials come from the environment that {@code ./iiot test} exports (INSA_DB_*), or from the
 * data directory's db-credentials.env when Maven is run by hand.
 */
public final class TestDatabase {

    private static TestDatabase instance;

    public final String url;
    public final String ownerUser;
    public final String ownerPassword;
    public final String appUser;
    public final String appPassword;
    public final int port;
    private final String serverUrl;
    private final String name;

    private TestDatabase() {
        Map<String, String> env = new HashMap<>(credentialsFile());
        env.putAll(System.getenv());
        this.port = Integer.parseInt(env.getOrDefault("INSA_DB_PORT", "5432"));
        this.serverUrl = "jdbc:postgresql://127.0.0.1:" + port + "/";
        this.ownerUser = env.getOrDefault("INSA_DB_OWNER_USER", "insa_owner");
        this.ownerPassword = require(env, "INSA_DB_OWNER_PASSWORD");
        this.appUser = env.getOrDefault("INSA_DB_APP_USER", "insa_app");
        this.appPassword = require(env, "INSA_DB_APP_PASSWORD");
        this.name = "insa_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        this.url = serverUrl + name;
        execute("postgres", "CREATE DATABASE " + name);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(() -> execute("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")));
    }

    public static synchronized TestDatabase get() {
        if (instance == null) {
            instance = new TestDatabase();
        }
        return instance;
    }

    /** The database's URL as reached through another port on loopback (a fault-injecting proxy). */
    public String urlThroughPort(int proxyPort) {
        return "jdbc:postgresql://127.0.0.1:" + proxyPort + "/" + name;
    }

    public Connection connectAsApp() throws SQLException {
        return DriverManager.getConnection(url, appUser, appPassword);
    }

    public Connection connectAsOwner() throws SQLException {
        return DriverManager.getConnection(url, ownerUser, ownerPassword);
    }

    /** Every integer value stored for the device, repeats included, read as the owner (past any proxy). */
    public List<Long> storedLongs(UUID device) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection c = connectAsOwner();
                PreparedStatement s = c.prepareStatement("SELECT long_v FROM telemetry WHERE device_id = ?")) {
            s.setObject(1, device);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    private void execute(String database, String sql) {
        try (Connection c = DriverManager.getConnection(serverUrl + database, ownerUser, ownerPassword);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot run '" + sql + "' as " + ownerUser + " (run the tests with ./iiot test)", e);
        }
    }

    private static String require(Map<String, String> env, String key) {
        String value = env.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(key + " is not set: run the tests with ./iiot test");
        }
        return value;
    }

    private static Map<String, String> credentialsFile() {
        Map<String, String> values = new HashMap<>();
        for (Path candidate : new Path[] {Path.of("data/db-credentials.env"), Path.of("../data/db-credentials.env")}) {
            if (Files.isReadable(candidate)) {
                try {
                    for (String line : Files.readAllLines(candidate)) {
                        int eq = line.indexOf('=');
                        if (eq > 0 && !line.startsWith("#")) {
                            values.put(
                                    line.substring(0, eq).replace("export ", "").strip(),
                                    line.substring(eq + 1).strip().replaceAll("^['\"]|['\"]$", ""));
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                break;
            }
        }
        return values;
    }
}
