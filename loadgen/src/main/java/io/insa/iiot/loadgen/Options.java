package io.insa.iiot.loadgen;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} options, with defaults from the INSA_DB_* environment for database access. */
final class Options {

    private final Map<String, String> values;

    private Options(Map<String, String> values) {
        this.values = values;
    }

    static Options parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            values.put(args[i].substring(2), args[++i]);
        }
        return new Options(values);
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback) {
        return Integer.parseInt(get(name, Integer.toString(fallback)));
    }

    String dbUrl() {
        return get("db-url", env("INSA_DB_URL", "jdbc:postgresql://127.0.0.1:5432/insa"));
    }

    String ownerUser() {
        return get("owner-user", env("INSA_DB_OWNER_USER", "insa_owner"));
    }

    String ownerPassword() {
        return get("owner-password", env("INSA_DB_OWNER_PASSWORD", ""));
    }

    String appUser() {
        return get("app-user", env("INSA_DB_APP_USER", "insa_app"));
    }

    String appPassword() {
        return get("app-password", env("INSA_DB_APP_PASSWORD", ""));
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
