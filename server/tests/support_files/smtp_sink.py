"""A local SMTP server for tests (aiosmtpd): every message received is written to
<dir>/<random>.json as {"to": [...], "from": ..., "subject": ..., "body": <decoded text>}.

Usage: python3 smtp_sink.py <port> <dir>. Prints "ready" once listening; stops when its
stdin closes (so it dies with the test process).
"""

import email
import email.policy
import json
import pathlib
import sys
import uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out):
        self.out = out

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "to": envelope.rcpt_tos,
            "from": envelope.mail_from,
            "subject": str(message["subject"]),
            "body": body.get_content() if body is not None else "",
        }
        tmp = self.out / (uuid.uuid4().hex + ".tmp")
        tmp.write_text(json.dumps(record))
        tmp.rename(tmp.with_suffix(".json"))
        return "250 OK"


def main():
    port = int(sys.argv[1])
    out = pathlib.Path(sys.argv[2])
    controller = Controller(Sink(out), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
