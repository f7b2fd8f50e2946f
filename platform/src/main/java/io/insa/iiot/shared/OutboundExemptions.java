package io.insa.iiot.shared;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Exact addresses (address and port) that one tenant's outbound connections may reach although the address policy
 * refuses them: the demo's OPC UA line on loopback, for the demo tenant alone. Unlike an operator allow-list, an
 * exemption never admits the address for another tenant. Kept in memory by the node that registered it.
 */
@Component
public class OutboundExemptions {

    private final Map<TenantId, Set<InetSocketAddress>> admitted = new ConcurrentHashMap<>();

    /** Admits a resolved address and port for the tenant's connections. */
    public void admit(TenantId tenant, InetSocketAddress address) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("an exemption names an address, not a host name: " + address);
        }
        admitted.computeIfAbsent(tenant, t -> ConcurrentHashMap.newKeySet()).add(address);
    }

    public void revoke(TenantId tenant, InetSocketAddress address) {
        admitted.computeIfPresent(tenant, (t, addresses) -> {
            addresses.remove(address);
            return addresses.isEmpty() ? null : addresses;
        });
    }

    public boolean admits(TenantId tenant, InetSocketAddress address) {
        Set<InetSocketAddress> addresses = admitted.get(tenant);
        return addresses != null && addresses.contains(address);
    }
}
