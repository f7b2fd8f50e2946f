package io.insa.iiot.shared;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one CSV writer of the exports: RFC 4180 fields, safe to open in a spreadsheet. Cells come from
 * callers (e-mail addresses, user agents, device names, telemetry strings), so a cell a spreadsheet
 * would evaluate as a formula is written as text.
 */
public final class Csv {

    /**
     * A plain decimal number, as the exports write numeric values. A spreadsheet reads it as the number
     * itself, so it can carry no formula and keeps its sign: -3.5 stays a number, not the text '-3.5.
     */
    private static final Pattern PLAIN_NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    private Csv() {}

    /**
     * The value as one field. A cell starting with {@code = + - @}, a tab or a carriage return gets a
     * leading {@code '} (OWASP's rule against CSV injection), unless it is a plain number; it is
     * quoted when it holds a comma, a quote or a line break.
     */
    public static String field(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        if (startsAFormula(s) && !PLAIN_NUMBER.matcher(s).matches()) {
            s = "'" + s;
        }
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    /** One record: the values as fields, comma-separated, ended by CRLF. */
    public static String line(List<?> values) {
        return values.stream().map(Csv::field).collect(Collectors.joining(",")) + "\r\n";
    }

    private static boolean startsAFormula(String s) {
        if (s.isEmpty()) {
            return false;
        }
        char first = s.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
    }
}
