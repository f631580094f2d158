"""A local SMTP sink for the load test: accepts every e-mail, appends its Message-ID (one per
line) to a file, so the runs can check that each message of the outbox arrived exactly once.

    .venv/bin/python -m loadtest.smtp_sink --port 2525 --log var/load/received.txt
"""

import argparse
import asyncio
import re

from aiosmtpd.controller import Controller

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class Sink:
    def __init__(self, path: str):
        self.out = open(path, "a", buffering=1)  # noqa: SIM115 - open for the sink's life

    async def handle_DATA(self, server, session, envelope):
        match = _MESSAGE_ID.search(envelope.content)
        self.out.write((match.group(1).decode() if match else "<none>") + "\n")
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description="SMTP sink recording Message-IDs")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    controller = Controller(Sink(args.log), hostname="127.0.0.1", port=args.port)
    controller.start()
    try:
        asyncio.new_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
