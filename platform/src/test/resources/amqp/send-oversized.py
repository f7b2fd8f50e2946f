#!/usr/bin/python3
"""Sends one telemetry message of N bytes with python3-qpid-proton and prints how it ended:
send-oversized.py <host:port> <device token> <bytes> <timeout seconds>."""
import sys

from proton import Message
from proton.utils import BlockingConnection, LinkDetached, SendException
from proton import Timeout

address, token, size, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
connection = BlockingConnection(address, sasl_enabled=True, allowed_mechs="PLAIN", allow_insecure_mechs=True,
                                user=token, password="unused", timeout=timeout)
sender = connection.create_sender("telemetry")
body = ('{"big": "' + "x" * size + '"}').encode("utf-8")
try:
    sender.send(Message(body=body))
    print("accepted")
except LinkDetached as e:
    condition = sender.link.remote_condition
    print("detached", condition.name if condition else None)
except SendException as e:
    print("refused", e.state)
except Timeout:
    print("timeout")
sys.stdout.flush()
