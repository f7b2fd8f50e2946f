package io.insa.iiot.console;

import io.insa.iiot.shared.ClientInfo;
import jakarta.servlet.http.HttpSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * Bulk device imports from a CSV file, run in chunks through the API's bulk endpoint so the page can
 * show how far an import of thousands of devices has got. An import belongs to the session that
 * started it; it is forgotten when that session is. Its calls reach the API on behalf of the browser
 * that started it (its address and agent), as the page's own calls do.
 */
@Component
class DeviceImports {

    static final int CHUNK = 250;
    private static final MediaType CSV = new MediaType("text", "csv");

    /** How far an import has got; {@code problem} is the API's reason when a chunk was refused. */
    record Progress(UUID id, int total, int imported, boolean finished, String problem) {

        public int percent() {
            return total == 0 ? 100 : imported * 100 / total;
        }
    }

    private final ConsoleApi api;
    private final Map<UUID, Progress> imports = new ConcurrentHashMap<>();
    private final Map<UUID, String> owners = new ConcurrentHashMap<>();
    private final Map<UUID, StringBuilder> tokens = new ConcurrentHashMap<>();
    private final ExecutorService running = Executors.newVirtualThreadPerTaskExecutor();

    DeviceImports(ConsoleApi api) {
        this.api = api;
    }

    /**
     * Starts importing the CSV (header {@code name,type[,labels]}) as the session's user. Chunks go one
     * after another; the first refused chunk stops the import, and what was imported stays.
     */
    Progress start(HttpSession session, String csv) {
        List<String> lines =
                csv.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        if (lines.isEmpty()
                || !lines.getFirst().toLowerCase(java.util.Locale.ROOT).startsWith("name")) {
            throw new ConsoleApi.Refused(400, "The file must be CSV starting with the header name,type[,labels].");
        }
        String header = lines.getFirst();
        List<String> rows = lines.subList(1, lines.size());
        UUID id = UUID.randomUUID();
        Progress progress = new Progress(id, rows.size(), 0, rows.isEmpty(), null);
        imports.put(id, progress);
        owners.put(id, session.getId());
        session.setAttribute(DeviceImports.class.getName() + "." + id, new Forget(this, id));
        ClientInfo browser = ClientInfo.current(); // the request ends before the import does
        running.submit(() -> run(session, browser, id, header, new ArrayList<>(rows)));
        return progress;
    }

    /** The import's progress, for the session that started it only. */
    Progress progress(HttpSession session, UUID id) {
        Progress progress = imports.get(id);
        if (progress == null || !session.getId().equals(owners.get(id))) {
            throw new ConsoleApi.Refused(404, "No such import.");
        }
        return progress;
    }

    /** The imported devices' access tokens as CSV, handed out once: a second call finds none. */
    String takeTokens(HttpSession session, UUID id) {
        progress(session, id);
        StringBuilder csv = tokens.remove(id);
        if (csv == null) {
            throw new ConsoleApi.Refused(410, "The access tokens of this import were downloaded already.");
        }
        return csv.toString();
    }

    private void run(HttpSession session, ClientInfo browser, UUID id, String header, List<String> rows) {
        int imported = 0;
        try {
            for (int from = 0; from < rows.size(); from += CHUNK) {
                List<String> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
                String body = header + "\n" + String.join("\n", chunk) + "\n";
                var created = api.post(session, browser, "/api/v1/devices/bulk", CSV, body);
                StringBuilder shownOnce = tokens.computeIfAbsent(id, i -> new StringBuilder("name,id,access_token\n"));
                created.path("devices")
                        .forEach(d -> shownOnce
                                .append(d.path("name").asString())
                                .append(',')
                                .append(d.path("id").asString())
                                .append(',')
                                .append(d.path("access_token").asString())
                                .append('\n'));
                imported += created.path("created").asInt(chunk.size());
                imports.put(id, new Progress(id, rows.size(), imported, false, null));
            }
            imports.put(id, new Progress(id, rows.size(), imported, true, null));
        } catch (ConsoleApi.Refused e) {
            imports.put(id, new Progress(id, rows.size(), imported, true, e.getMessage()));
        } catch (RuntimeException e) {
            imports.put(id, new Progress(id, rows.size(), imported, true, "The import stopped: " + e.getMessage()));
        }
    }

    /** Forgets an import once its session ends (the session unbinds its attributes). */
    private record Forget(DeviceImports imports, UUID id)
            implements jakarta.servlet.http.HttpSessionBindingListener, java.io.Serializable {
        @Override
        public void valueUnbound(jakarta.servlet.http.HttpSessionBindingEvent event) {
            imports.imports.remove(id);
            imports.tokens.remove(id);
            imports.owners.remove(id);
        }
    }
}
