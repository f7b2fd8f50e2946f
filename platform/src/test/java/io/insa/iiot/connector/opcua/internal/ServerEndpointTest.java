package io.insa.iiot.connector.opcua.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ubyte;

import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.ByteString;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.UserTokenType;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.UserTokenPolicy;
import org.junit.jupiter.api.Test;

/** Which username token policy a password may use: encrypted, or in clear text only inside SignAndEncrypt. */
class ServerEndpointTest {

    private static final UserTokenPolicy ENCRYPTED = new UserTokenPolicy(
            "encrypted", UserTokenType.UserName, null, null, SecurityPolicy.Basic256Sha256.getUri());
    private static final UserTokenPolicy CLEAR =
            new UserTokenPolicy("clear", UserTokenType.UserName, null, null, SecurityPolicy.None.getUri());
    /** No policy of its own: the endpoint's applies. */
    private static final UserTokenPolicy INHERITED =
            new UserTokenPolicy("inherited", UserTokenType.UserName, null, null, "");

    private static final UserTokenPolicy ANONYMOUS =
            new UserTokenPolicy("anonymous", UserTokenType.Anonymous, null, null, null);

    @Test
    void overSecurityNoneOnlyAnEncryptedPassword() {
        assertThat(ServerEndpoint.usernamePolicy(endpoint(MessageSecurityMode.None, ANONYMOUS, CLEAR, ENCRYPTED)))
                .contains(ENCRYPTED);
        assertThat(ServerEndpoint.usernamePolicy(endpoint(MessageSecurityMode.None, CLEAR, INHERITED)))
                .as("a password in clear text over an unprotected channel")
                .isEmpty();
    }

    @Test
    void aClearTextPasswordOnlyInsideSignAndEncrypt() {
        assertThat(ServerEndpoint.usernamePolicy(endpoint(MessageSecurityMode.SignAndEncrypt, CLEAR)))
                .contains(CLEAR);
        assertThat(ServerEndpoint.usernamePolicy(endpoint(MessageSecurityMode.Sign, CLEAR)))
                .as("signed, not encrypted")
                .isEmpty();
        assertThat(ServerEndpoint.usernamePolicy(endpoint(MessageSecurityMode.Sign, INHERITED)))
                .as("encrypted with the endpoint's policy")
                .contains(INHERITED);
    }

    private static EndpointDescription endpoint(MessageSecurityMode mode, UserTokenPolicy... policies) {
        String policy = mode == MessageSecurityMode.None
                ? SecurityPolicy.None.getUri()
                : SecurityPolicy.Basic256Sha256.getUri();
        return new EndpointDescription(
                "opc.tcp://127.0.0.1:4840/x", null, ByteString.NULL_VALUE, mode, policy, policies, null, ubyte(0));
    }
}
