package io.insa.iiot.connector.opcua.internal;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import io.insa.iiot.connector.opcua.OpcUaConnector;
import io.insa.iiot.connector.opcua.OpcUaSessions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaSubscription;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.DataChangeTrigger;
import org.eclipse.milo.opcua.stack.core.types.enumerated.DeadbandType;
import org.eclipse.milo.opcua.stack.core.types.structured.DataChangeFilter;

/**
 * The connector's subscription, created again on each connection: a monitored item per mapped node, sampled at the
 * mapping's interval with its deadband, published at the connector's interval or else its fastest sampling interval
 * ({@link Publishing}), each item queueing every sample between two publishes; each data change goes on to the feed,
 * and a node that gives no values is kept as a bad item for the status.
 */
final class ConnectorSubscription {

    private final OpcUaConnector connector;
    private final TelemetryFeed feed;
    private final Consumer<String> problems;
    private final Map<String, String> badItems = new ConcurrentHashMap<>();
    private volatile int monitoredItems;
    private volatile long publishingIntervalMs;

    /** {@code problems}: where a message about values the server dropped goes (the session's last error). */
    ConnectorSubscription(OpcUaConnector connector, TelemetryFeed feed, Consumer<String> problems) {
        this.connector = connector;
        this.feed = feed;
        this.problems = problems;
    }

    void create(OpcUaClient connected) throws UaException {
        OpcUaSubscription subscription = new OpcUaSubscription(connected, Publishing.interval(connector));
        subscription.create();
        double publishing = subscription.getRevisedPublishingInterval().orElse(Publishing.interval(connector));
        publishingIntervalMs = Math.round(publishing);
        List<OpcUaMonitoredItem> items = new ArrayList<>();
        badItems.clear();
        for (OpcUaConnector.Mapping mapping : connector.mappings()) {
            NodeId nodeId = NodeId.parseOrNull(mapping.nodeId());
            if (nodeId == null) {
                badItems.put(mapping.nodeId(), "Bad_NodeIdInvalid");
                continue;
            }
            OpcUaMonitoredItem item = OpcUaMonitoredItem.newDataItem(nodeId);
            item.setSamplingInterval(mapping.samplingIntervalMs());
            item.setQueueSize(uint(Publishing.queueSize(publishing, mapping.samplingIntervalMs())));
            // a full queue keeps the samples it holds and replaces its last with the newest, marked overflow
            item.setDiscardOldest(false);
            if (mapping.deadband() != null) {
                DeadbandType type =
                        mapping.deadband().type().equals("percent") ? DeadbandType.Percent : DeadbandType.Absolute;
                item.setFilter(new DataChangeFilter(
                        DataChangeTrigger.StatusValue,
                        uint(type.getValue()),
                        mapping.deadband().value()));
            }
            item.setDataValueListener((monitored, value) -> received(mapping, value));
            items.add(item);
        }
        subscription.addMonitoredItems(items);
        subscription.createMonitoredItems();
        int good = 0;
        for (int i = 0; i < items.size(); i++) {
            StatusCode result = items.get(i).getCreateResult().orElse(StatusCode.GOOD);
            if (result.isBad()) {
                badItems.put(items.get(i).getReadValueId().getNodeId().toParseableString(), Failures.name(result));
            } else {
                good++;
            }
        }
        monitoredItems = good;
        enlargeQueues(subscription, items, publishing);
    }

    /**
     * The server may sample faster than asked (0 is its fastest) or keep a smaller queue: items whose queue does not
     * hold a publishing interval's samples at the revised rates ask once more; what the server still refuses shows as
     * overflow when it happens.
     */
    private void enlargeQueues(OpcUaSubscription subscription, List<OpcUaMonitoredItem> items, double publishing) {
        boolean modify = false;
        for (OpcUaMonitoredItem item : items) {
            if (item.getCreateResult().map(StatusCode::isBad).orElse(false)
                    || item.getRevisedSamplingInterval().isEmpty()
                    || item.getRevisedQueueSize().isEmpty()) {
                continue;
            }
            int needed = Publishing.queueSize(
                    publishing, item.getRevisedSamplingInterval().get());
            if (needed > item.getRevisedQueueSize().get().intValue()
                    && needed > item.getQueueSize().intValue()) {
                item.setQueueSize(uint(needed));
                modify = true;
            }
        }
        if (modify) {
            subscription.modifyMonitoredItems();
        }
    }

    /** The publishing interval the server granted at the last connection, in milliseconds. */
    long publishingIntervalMs() {
        return publishingIntervalMs;
    }

    /** The items the server monitors for the last connection. */
    int monitoredItems() {
        return monitoredItems;
    }

    /** The mapped nodes that give no values, and why. */
    List<OpcUaSessions.BadItem> badItems() {
        return badItems.entrySet().stream()
                .map(e -> new OpcUaSessions.BadItem(e.getKey(), e.getValue()))
                .sorted(Comparator.comparing(OpcUaSessions.BadItem::nodeId))
                .toList();
    }

    /** On Milo's delivery thread: keep it short, the rest happens at the feed's next flush. */
    private void received(OpcUaConnector.Mapping mapping, DataValue value) {
        StatusCode status = value.getStatusCode() == null ? StatusCode.GOOD : value.getStatusCode();
        if (status.isBad()) {
            badItems.put(mapping.nodeId(), Failures.name(status));
            return;
        }
        Optional<ValueMapping.Point> point = ValueMapping.point(mapping, value, status);
        if (point.isEmpty()) {
            badItems.put(mapping.nodeId(), "Bad_TypeMismatch: arrays and structures are not mapped");
            return;
        }
        badItems.remove(mapping.nodeId());
        if (status.isOverflowSet()) {
            problems.accept("values of node " + mapping.nodeId() + " were dropped by the server: its queue for the"
                    + " item overflowed between two publishes");
        }
        feed.add(mapping.deviceName(), point.get());
    }
}
