package io.insa.iiot.connector.opcua.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.junit.jupiter.api.Test;

/** The categories a tenant is shown for a failed attempt, and the detail that goes to the operator's log only. */
class FailuresTest {

    @Test
    void anOpcUaStatusInsideWrappersDecidesTheCategory() {
        assertThat(Failures.category(new ExecutionException(new UaException(StatusCodes.Bad_ConnectionRejected))))
                .isEqualTo(Failures.REFUSED);
        assertThat(Failures.category(new UaException(StatusCodes.Bad_RequestTimeout)))
                .isEqualTo(Failures.TIMEOUT);
        assertThat(Failures.category(new UaException(StatusCodes.Bad_CertificateUntrusted)))
                .isEqualTo(Failures.SECURITY);
        assertThat(Failures.category(new UaException(StatusCodes.Bad_UserAccessDenied)))
                .isEqualTo(Failures.SECURITY);
        assertThat(Failures.category(new UaException(StatusCodes.Bad_NodeIdUnknown)))
                .isEqualTo(Failures.PROTOCOL);
    }

    @Test
    void withoutAnOpcUaStatusTheInnermostCauseDecides() {
        assertThat(Failures.category(new RuntimeException(new TimeoutException())))
                .isEqualTo(Failures.TIMEOUT);
        assertThat(Failures.category(new RuntimeException(new IOException("reset"))))
                .isEqualTo(Failures.REFUSED);
        assertThat(Failures.category(new IllegalStateException("odd"))).isEqualTo(Failures.PROTOCOL);
    }

    @Test
    void theReasonNamesTheStatusAndTheMessage() {
        assertThat(Failures.reason(new ExecutionException(new UaException(StatusCodes.Bad_Timeout, "no answer"))))
                .isEqualTo("Bad_Timeout: no answer");
        assertThat(Failures.reason(new RuntimeException(new IOException("reset"))))
                .isEqualTo("IOException: reset");
        assertThat(Failures.name(new StatusCode(0x12345678L))).isEqualTo("0x12345678");
        assertThat(Failures.name(StatusCode.GOOD)).isEqualTo("Good");
    }
}
