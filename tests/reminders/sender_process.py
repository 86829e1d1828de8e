"""One pass of the reminder sender in a process of its own, which the crash test kills mid-send.

python -m tests.reminders.sender_process DATABASE_URL MASTER_KEY_HEX NOW_ISO SMTP_PORT
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from domain.reminder import Channel
from service.application.context import ApplicationContext
from service.reminders.sender import Sender
from service.reminders.transports import SmtpTransport
from service.storage.keys.master_key import MasterKey
from service.storage.runtime import open_runtime


async def main(url: str, key_hex: str, now: str, smtp_port: int) -> int:
    def clock() -> datetime:
        return datetime.fromisoformat(now)

    async with open_runtime(url, MasterKey.from_hex(key_hex, source="test"), clock=clock) as runtime:
        ctx = ApplicationContext.from_runtime(runtime, clock=clock)
        smtp = SmtpTransport("127.0.0.1", smtp_port, "none", "rappels@centre.example", timeout=10)
        sender = Sender(runtime.pool, ctx.repository, {Channel.EMAIL: smtp, Channel.SMS: None}, clock)
        return await sender.send_due()


if __name__ == "__main__":
    url, key_hex, now, port = sys.argv[1:5]
    print(asyncio.run(main(url, key_hex, now, int(port))))
