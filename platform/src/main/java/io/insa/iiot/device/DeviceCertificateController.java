package io.insa.iiot.device;

import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.tenancy.TenantAccess;
import io.insa.iiot.tenancy.TenantAccess.Need;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * X.509 device credentials: a device's own certificate ({@code PUT /api/v1/devices/{id}/x509}), and a
 * tenant's CAs ({@code /api/v1/ca-certificates}), their proof of possession and revoked serial
 * numbers. Devices are the operators' to equip; CAs, which can create devices, are the tenant admins'.
 */
@RestController
class DeviceCertificateController {

    record CertificateRequest(String certificatePem) {}

    record CaRequest(String certificatePem, Boolean autoProvision) {}

    record RevocationRequest(String serialNumber) {}

    private final CertificateRegistry certificates;
    private final TenantAccess access;

    DeviceCertificateController(CertificateRegistry certificates, TenantAccess access) {
        this.certificates = certificates;
        this.access = access;
    }

    @PutMapping("/api/v1/devices/{id}/x509")
    CertificateRegistry.Registered register(
            @AuthenticationPrincipal Caller caller, @PathVariable UUID id, @RequestBody CertificateRequest request) {
        return certificates.register(caller, tenant(caller, Need.WRITE), id, request.certificatePem());
    }

    @DeleteMapping("/api/v1/devices/{id}/x509")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void unregister(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        certificates.unregister(caller, tenant(caller, Need.WRITE), id);
    }

    @PostMapping("/api/v1/ca-certificates")
    @ResponseStatus(HttpStatus.CREATED)
    CertificateRegistry.CaCertificate addCa(@AuthenticationPrincipal Caller caller, @RequestBody CaRequest request) {
        return certificates.addCa(
                caller,
                tenant(caller, Need.ADMIN),
                request.certificatePem(),
                !Boolean.FALSE.equals(request.autoProvision()));
    }

    /** Proof of possession: a certificate whose CN is the CA's verification code, signed by its key. */
    @PostMapping("/api/v1/ca-certificates/{id}/verify")
    CertificateRegistry.CaCertificate verifyCa(
            @AuthenticationPrincipal Caller caller, @PathVariable UUID id, @RequestBody CertificateRequest request) {
        return certificates.verifyCa(caller, tenant(caller, Need.ADMIN), id, request.certificatePem());
    }

    @GetMapping("/api/v1/ca-certificates")
    Page<CertificateRegistry.CaCertificate> cas(@AuthenticationPrincipal Caller caller) {
        List<CertificateRegistry.CaCertificate> all = certificates.cas(tenant(caller, Need.READ));
        return new Page<>(all, 0, all.size(), all.size());
    }

    @DeleteMapping("/api/v1/ca-certificates/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteCa(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        certificates.deleteCa(caller, tenant(caller, Need.ADMIN), id);
    }

    @PostMapping("/api/v1/ca-certificates/{id}/revocations")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@AuthenticationPrincipal Caller caller, @PathVariable UUID id, @RequestBody RevocationRequest request) {
        certificates.revoke(caller, tenant(caller, Need.ADMIN), id, request.serialNumber());
    }

    private TenantId tenant(Caller caller, Need need) {
        return access.requireActive(caller, need).tenantId();
    }
}
