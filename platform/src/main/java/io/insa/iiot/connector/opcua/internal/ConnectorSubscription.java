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
 * mapping's interval with its deadband and published at the connector's interval; each data change goes on to the
 * feed, and a node that gives no values is kept as a bad item for the status.
 */
final class ConnectorSubscription {

    private final OpcUaConnector connector;
    private final TelemetryFeed feed;
    private final Map<String, String> badItems = new ConcurrentHashMap<>();
    private volatile int monitoredItems;

    ConnectorSubscription(OpcUaConnector connector, TelemetryFeed feed) {
        this.connector = connector;
        this.feed = feed;
    }

    void create(OpcUaClient connected) throws UaException {
        OpcUaSubscription subscription = new OpcUaSubscription(connected, (double) connector.publishingIntervalMs());
        subscription.create();
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
        feed.add(mapping.deviceName(), point.get());
    }
}
