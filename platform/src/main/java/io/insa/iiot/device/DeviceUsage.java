package io.insa.iiot.device;

import io.insa.iiot.shared.TenantId;
import io.insa.iiot.tenancy.TenantUsage;
import org.springframework.stereotype.Component;

/** The device part of a tenant's stats and quotas. */
@Component
class DeviceUsage implements TenantUsage.Devices {

    private final Devices devices;

    DeviceUsage(Devices devices) {
        this.devices = devices;
    }

    @Override
    public TenantUsage.DeviceCounts count(TenantId tenant) {
        return new TenantUsage.DeviceCounts(devices.count(tenant), devices.countOnline(tenant));
    }
}
