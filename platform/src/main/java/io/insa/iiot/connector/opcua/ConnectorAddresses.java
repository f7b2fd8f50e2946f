package io.insa.iiot.connector.opcua;

import io.insa.iiot.shared.Cidrs;
import io.insa.iiot.shared.OutboundAddresses;
import io.insa.iiot.shared.OutboundExemptions;
import io.insa.iiot.shared.TenantId;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Where a connector may connect: the platform's outbound address policy ({@link OutboundAddresses}, the one webhooks
 * pass too), widened only by the operator's {@value #SETTING} and by exemptions registered for one tenant (the demo's
 * own line). Judged when a connector is written and again before every connection, since a name's DNS answer can
 * change; the connection then goes to exactly the address that was judged.
 */
@Component
public class ConnectorAddresses {

    static final String SETTING = "insa.connectors.opcua.allowed-networks";
    static final int DEFAULT_PORT = 4840;

    private final OutboundAddresses policy;
    private final OutboundExemptions exemptions;

    ConnectorAddresses(@Value("${" + SETTING + ":}") String allowedNetworks, OutboundExemptions exemptions) {
        this.policy = new OutboundAddresses(SETTING, Cidrs.parse(SETTING, allowedNetworks), false);
        this.exemptions = exemptions;
    }

    /**
     * Whether the tenant's connectors may reach the endpoint. The same no for a name that does not resolve and for one
     * that resolves to a refused address, and nothing about whether anything listens there.
     */
    boolean admits(TenantId tenant, String endpointUrl) {
        try {
            pin(tenant, URI.create(endpointUrl));
            return true;
        } catch (UnknownHostException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The address and port to connect to, judged for the tenant. IPv4 first: the OPC UA client library takes IPv6
     * literals in endpoint URLs badly.
     *
     * @throws OutboundAddresses.RefusedAddressException when the policy refuses the answer
     * @throws UnknownHostException when the name does not resolve
     */
    public InetSocketAddress pin(TenantId tenant, URI endpoint) throws UnknownHostException {
        int port = endpoint.getPort() < 0 ? DEFAULT_PORT : endpoint.getPort();
        InetAddress[] answer = policy.resolve(
                endpoint.getHost(), address -> exemptions.admits(tenant, new InetSocketAddress(address, port)));
        InetAddress chosen = Arrays.stream(answer)
                .filter(Inet4Address.class::isInstance)
                .findFirst()
                .orElse(answer[0]);
        return new InetSocketAddress(chosen, port);
    }

    /** The endpoint URL with its host replaced by the pinned address: what the client connects to. */
    public static String pinnedUrl(URI endpoint, InetSocketAddress pinned) {
        String host = pinned.getAddress().getHostAddress();
        String literal = host.contains(":") ? "[" + host + "]" : host;
        String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
        return "opc.tcp://" + literal + ":" + pinned.getPort() + path;
    }
}
