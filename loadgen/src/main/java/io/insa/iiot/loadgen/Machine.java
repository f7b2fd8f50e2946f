package io.insa.iiot.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/** What the figures were measured on. */
final class Machine {

    private Machine() {}

    static String describe(Options options) {
        StringBuilder out = new StringBuilder("machine: ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, ")
                .append(memory())
                .append(", ")
                .append(System.getProperty("os.name"))
                .append(' ')
                .append(System.getProperty("os.version"))
                .append("\njava:    ")
                .append(System.getProperty("java.vm.name"))
                .append(' ')
                .append(System.getProperty("java.version"));
        try (Connection c = DriverManager.getConnection(options.dbUrl(), options.ownerUser(), options.ownerPassword());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            out.append("\ndb:      PostgreSQL ")
                    .append(rs.getString(1))
                    .append(" at ")
                    .append(options.dbUrl());
        } catch (Exception e) {
            out.append("\ndb:      (not reachable from here: ")
                    .append(e.getMessage())
                    .append(')');
        }
        return out.toString();
    }

    private static String memory() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024 + " GiB")
                    .findFirst()
                    .orElse("? GiB");
        } catch (IOException e) {
            return "? GiB";
        }
    }
}
