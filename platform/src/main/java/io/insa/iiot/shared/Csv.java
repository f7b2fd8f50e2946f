package io.insa.iiot.shared;

/** RFC 4180 fields, for the CSV exports. */
public final class Csv {

    private Csv() {}

    /** The value as one field: quoted when it holds a comma, a quote or a line break. */
    public static String field(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
