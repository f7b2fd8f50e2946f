package io.insa.iiot.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeviceCertificatesTest {

    @Test
    void aDeviceIdOrATenantsSlugAndNameNameADevice() {
        assertThat(DeviceCertificates.namesADevice(UUID.randomUUID().toString()))
                .isTrue();
        assertThat(DeviceCertificates.namesADevice("plant-a/pump-7")).isTrue();
    }

    @Test
    void anAccessTokenOrAnythingElseNamesNoDevice() {
        assertThat(DeviceCertificates.namesADevice("A1b2C3d4E5f6G7h8I9j0")).isFalse();
        assertThat(DeviceCertificates.namesADevice("1-1-1-1-1")).isFalse(); // parses as a UUID, not canonical
        assertThat(DeviceCertificates.namesADevice("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"))
                .isFalse();
        assertThat(DeviceCertificates.namesADevice("")).isFalse();
        assertThat(DeviceCertificates.namesADevice(null)).isFalse();
    }
}
