#!/usr/bin/python3
"""Sends one telemetry message with python3-qpid-proton: send.py <host:port> <device token> <json>."""
import sys

from proton import Message
from proton.utils import BlockingConnection

address, token, body = sys.argv[1], sys.argv[2], sys.argv[3]
connection = BlockingConnection(address, sasl_enabled=True, allowed_mechs="PLAIN", allow_insecure_mechs=True,
                                user=token, password="unused", timeout=20)
sender = connection.create_sender("telemetry")
sender.send(Message(body=body.encode("utf-8")))  # returns once the delivery is accepted; raises if rejected
connection.close()
