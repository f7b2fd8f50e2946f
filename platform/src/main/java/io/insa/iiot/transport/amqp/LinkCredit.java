package io.insa.iiot.transport.amqp;

import io.insa.iiot.ingest.IngestPressure;
import io.insa.iiot.transport.TransportMetrics;
import io.vertx.core.Context;
import io.vertx.proton.ProtonReceiver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AMQP backpressure (SPEC 11): a link gets one new credit for each settled delivery, except while the
 * ingest queue is high. Then the credit is owed, and the sender runs out and waits; when the queue is
 * back at its low-water mark, every link gets what it is owed. Nothing is refused or closed.
 */
final class LinkCredit {

    /** A link held without credit and what it is owed; {@code owed} is touched on its event loop only. */
    private static final class Starved {
        final Context context;
        int owed;

        Starved(Context context) {
            this.context = context;
        }
    }

    private final IngestPressure pressure;
    private final TransportMetrics metrics;
    private final Map<ProtonReceiver, Starved> starved = new ConcurrentHashMap<>();

    LinkCredit(IngestPressure pressure, TransportMetrics metrics) {
        this.pressure = pressure;
        this.metrics = metrics;
        pressure.listen(() -> {}, this::grantOwed);
    }

    /** On the link's event loop, when it is attached: its initial credit, unless the queue is high. */
    void opened(ProtonReceiver receiver, Context context, int initialCredit) {
        grantOrOwe(receiver, context, initialCredit);
    }

    /** On the link's event loop, after one of its deliveries was settled. */
    void settled(ProtonReceiver receiver, Context context) {
        if (!receiver.isOpen()) {
            forget(receiver);
            return;
        }
        grantOrOwe(receiver, context, 1);
    }

    private void grantOrOwe(ProtonReceiver receiver, Context context, int credits) {
        if (!pressure.isHigh() && !starved.containsKey(receiver)) {
            receiver.flow(credits);
            return;
        }
        starved.computeIfAbsent(receiver, r -> {
                    metrics.paused();
                    return new Starved(context);
                })
                .owed += credits;
        if (!pressure.isHigh()) {
            grant(receiver); // the queue fell below the low-water mark while this was being recorded
        }
    }

    /** On the link's event loop, when it closes: nothing is owed to a closed link. */
    void forget(ProtonReceiver receiver) {
        if (starved.remove(receiver) != null) {
            metrics.resumed();
        }
    }

    private void grantOwed() {
        starved.forEach((receiver, link) -> link.context.runOnContext(v -> grant(receiver)));
    }

    /** On the link's event loop. */
    private void grant(ProtonReceiver receiver) {
        Starved link = starved.remove(receiver);
        if (link == null) {
            return;
        }
        metrics.resumed();
        if (receiver.isOpen() && link.owed > 0) {
            receiver.flow(link.owed);
        }
    }
}
