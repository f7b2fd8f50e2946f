#!/usr/bin/python3
"""Sends one telemetry message over AMQPS with SASL EXTERNAL and a client certificate, the device named by the
authorization identity (python3-qpid-proton sends it as EXTERNAL's initial response):
send_x509.py <host:port> <certificate.pem> <key.pem> <device name> <json>. Exits 0 once the message is
accepted, 1 when the connection or the message is refused."""
import sys

from proton import Message, SSLDomain
from proton.handlers import MessagingHandler
from proton.reactor import Container

address, certificate, key, name, body = sys.argv[1:6]


class Send(MessagingHandler):
    def __init__(self):
        super().__init__()
        self.sent = False
        self.accepted = False

    def on_start(self, event):
        domain = SSLDomain(SSLDomain.MODE_CLIENT)
        domain.set_credentials(certificate, key, None)
        domain.set_peer_authentication(SSLDomain.ANONYMOUS_PEER)
        # Proton's own SASL sends the user as EXTERNAL's initial response, Cyrus SASL the authorization
        connection = event.container.connect("amqps://" + address, ssl_domain=domain, sasl_enabled=True,
                                             allowed_mechs="EXTERNAL", user=name, reconnect=False)
        connection.authorization = name  # before the transport binds
        event.container.create_sender(connection, "telemetry")

    def on_sendable(self, event):
        if event.sender.credit and not self.sent:
            self.sent = True
            event.sender.send(Message(body=body.encode("utf-8")))

    def on_accepted(self, event):
        self.accepted = True
        event.connection.close()

    def on_rejected(self, event):
        event.connection.close()

    def on_transport_error(self, event):
        print("refused:", event.transport.condition, file=sys.stderr)


handler = Send()
Container(handler).run()
sys.exit(0 if handler.accepted else 1)
