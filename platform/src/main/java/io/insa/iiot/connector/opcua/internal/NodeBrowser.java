package io.insa.iiot.connector.opcua.internal;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import io.insa.iiot.connector.opcua.OpcUaSessions;
import io.insa.iiot.connector.opcua.OpcUaSessions.Browsed;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseDirection;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseResultMask;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowseDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowseResult;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadValueId;
import org.eclipse.milo.opcua.stack.core.types.structured.ReferenceDescription;

/**
 * A node's children as browse shows them (the Objects folder's when no node is named): id, names, class, data type
 * and whether they have children of their own, read through a connected client in three requests.
 */
final class NodeBrowser {

    private NodeBrowser() {}

    static Browsed browse(OpcUaClient connected, String nodeId) {
        NodeId parent = nodeId == null || nodeId.isBlank() ? NodeIds.ObjectsFolder : NodeId.parseOrNull(nodeId);
        if (parent == null) {
            return new Browsed.InvalidNodeId();
        }
        try {
            List<ReferenceDescription> children = references(connected, parent);
            List<NodeId> ids = new ArrayList<>();
            for (ReferenceDescription r : children) {
                ids.add(r.getNodeId().toNodeId(connected.getNamespaceTable()).orElse(NodeId.NULL_VALUE));
            }
            List<BrowseResult> grandchildren = ids.isEmpty()
                    ? List.of()
                    : connected.browse(ids.stream().map(NodeBrowser::children).toList());
            List<DataValue> dataTypes = new ArrayList<>();
            if (!ids.isEmpty()) {
                DataValue[] read = connected
                        .read(
                                0,
                                TimestampsToReturn.Neither,
                                ids.stream()
                                        .map(id -> new ReadValueId(
                                                id, AttributeId.DataType.uid(), null, QualifiedName.NULL_VALUE))
                                        .toList())
                        .getResults();
                if (read != null) {
                    dataTypes.addAll(List.of(read));
                }
            }
            List<OpcUaSessions.BrowsedNode> nodes = new ArrayList<>();
            for (int i = 0; i < children.size(); i++) {
                ReferenceDescription r = children.get(i);
                Object dataType =
                        i < dataTypes.size() && dataTypes.get(i).getStatusCode().isGood()
                                ? dataTypes.get(i).getValue().getValue()
                                : null;
                BrowseResult below = i < grandchildren.size() ? grandchildren.get(i) : null;
                nodes.add(new OpcUaSessions.BrowsedNode(
                        ids.get(i).toParseableString(),
                        r.getBrowseName().toParseableString(),
                        r.getDisplayName().getText(),
                        r.getNodeClass().name(),
                        dataType instanceof NodeId type ? type.toParseableString() : null,
                        below != null && below.getReferences() != null && below.getReferences().length > 0));
            }
            return new Browsed.Children(nodes);
        } catch (UaException e) {
            return new Browsed.Unavailable("browse failed: " + Failures.name(e.getStatusCode()));
        }
    }

    private static List<ReferenceDescription> references(OpcUaClient client, NodeId node) throws UaException {
        BrowseResult result = client.browse(children(node));
        return result.getReferences() == null ? List.of() : List.of(result.getReferences());
    }

    private static BrowseDescription children(NodeId node) {
        return new BrowseDescription(
                node,
                BrowseDirection.Forward,
                NodeIds.HierarchicalReferences,
                true,
                uint(0),
                uint(BrowseResultMask.All.getValue()));
    }
}
