"""The embedded default's email backend: each message to the outbox folder and a short
echo on the console (who, what, the text, attachments by name; the whole message, PDFs and
HTML included, is in the .eml file the echo names)."""

import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

RULE = "-" * 79


class OutboxEmailBackend(BaseEmailBackend):
    """Writes each message as its own .eml file in `file_path`, and echoes it to stdout."""

    def __init__(self, *, file_path: str, fail_silently: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.fail_silently = fail_silently
        self.file_path = Path(file_path)
        self.file_path.mkdir(parents=True, exist_ok=True)

    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            name = f"{datetime.now(UTC):%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.eml"
            path = self.file_path / name
            path.write_bytes(message.message().as_bytes())
            sys.stdout.write(_echo(message, path))
            sent += 1
        sys.stdout.flush()
        return sent


def _echo(message, path: Path) -> str:
    lines = [
        RULE,
        f"From: {message.from_email}",
        f"To: {', '.join(message.to)}",
        f"Subject: {message.subject}",
        "",
        message.body.rstrip(),
    ]
    for attachment in message.attachments:
        filename, content = (
            getattr(attachment, "filename", None),
            getattr(attachment, "content", b""),
        )
        if filename is None and isinstance(attachment, tuple):
            filename, content = attachment[0], attachment[1]
        lines.append(f"[attached: {filename or 'a part'}, {len(content or b'')} bytes]")
    if getattr(message, "alternatives", None):
        lines.append("[also as HTML]")
    lines += [f"(the whole message: {path})", RULE, ""]
    return "\n".join(lines)
