package io.insa.iiot.device;

import io.insa.iiot.shared.ProblemException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CSV form of bulk provisioning: a header {@code name,type[,labels]} and one device a line;
 * labels as {@code key=value;key=value}. Fields contain no commas.
 */
final class DeviceCsv {

    private DeviceCsv() {}

    static List<DeviceRequests.Create> parse(String csv) {
        List<String> lines =
                csv.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.isEmpty()
                || !lines.getFirst().toLowerCase(java.util.Locale.ROOT).startsWith("name")) {
            throw ProblemException.badRequest("body", "CSV must start with the header name,type[,labels]");
        }
        List<DeviceRequests.Create> out = new ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            String[] fields = lines.get(i).split(",", -1);
            if (fields.length < 1 || fields.length > 3) {
                throw ProblemException.badRequest("line " + (i + 1), "expected name,type[,labels]");
            }
            String type = fields.length > 1 && !fields[1].isBlank() ? fields[1].strip() : null;
            Map<String, String> labels = fields.length > 2 ? labels(fields[2], i + 1) : null;
            out.add(new DeviceRequests.Create(fields[0].strip(), type, labels, null));
        }
        return out;
    }

    private static Map<String, String> labels(String field, int line) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String pair : field.split(";")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw ProblemException.badRequest("line " + line, "labels must be key=value;key=value");
            }
            labels.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return labels;
    }
}
