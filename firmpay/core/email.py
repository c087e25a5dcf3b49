"""The embedded default's email backend: each message to the outbox folder and the console."""

import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.console import EmailBackend as ConsoleBackend


class OutboxEmailBackend(BaseEmailBackend):
    """Writes each message as its own .eml file in `file_path`, and echoes it to stdout."""

    def __init__(self, *, file_path: str, fail_silently: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.fail_silently = fail_silently
        self.file_path = Path(file_path)
        self.file_path.mkdir(parents=True, exist_ok=True)
        self._console = ConsoleBackend(stream=sys.stdout, alias=self.alias)

    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            name = f"{datetime.now(UTC):%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.eml"
            (self.file_path / name).write_bytes(message.message().as_bytes())
            sent += 1
        self._console.send_messages(email_messages)
        return sent
