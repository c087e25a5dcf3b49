from django.core.mail import EmailMessage

from firmpay.core.email import OutboxEmailBackend


def test_outbox_backend_keeps_each_message_as_a_file(tmp_path, capsys):
    backend = OutboxEmailBackend(file_path=str(tmp_path / "outbox"), alias="default")
    messages = [
        EmailMessage(subject=f"Invoice INV-000{n}", body="Hello", to=["client@example.com"])
        for n in (1, 2)
    ]

    assert backend.send_messages(messages) == 2

    files = sorted((tmp_path / "outbox").iterdir())
    assert len(files) == 2
    assert "Subject: Invoice INV-0001" in files[0].read_text() + files[1].read_text()
    assert "Invoice INV-0002" in capsys.readouterr().out
