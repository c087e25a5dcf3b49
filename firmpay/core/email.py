"""The embedded default's email backend: each message to the outbox folder and the console."""

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class OutboxEmailBackend(BaseEmailBackend):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, fail_silently=kwargs.pop("fail_silently", False))
        settings.EMAIL_OUTBOX_DIR.mkdir(parents=True, exist_ok=True)
        self._file = FileBackend(file_path=str(settings.EMAIL_OUTBOX_DIR), **kwargs)
        self._console = ConsoleBackend(**kwargs)

    def send_messages(self, email_messages):
        sent = self._file.send_messages(email_messages)
        self._console.send_messages(email_messages)
        return sent
