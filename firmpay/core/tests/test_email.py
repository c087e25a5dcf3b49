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


def test_the_console_shows_the_text_and_names_attachments_without_their_bytes(tmp_path, capsys):
    backend = OutboxEmailBackend(file_path=str(tmp_path / "outbox"), alias="default")
    message = EmailMessage(subject="Invoice INV-0007", body="Please pay", to=["c@example.com"])
    message.attach("INV-0007.pdf", b"%PDF-1.7 " + b"x" * 5000, "application/pdf")

    backend.send_messages([message])

    out = capsys.readouterr().out
    assert "Subject: Invoice INV-0007" in out and "Please pay" in out
    assert "[attached: INV-0007.pdf, 5009 bytes]" in out
    assert "JVBER" not in out  # no base64 of the PDF on the console
    (eml,) = (tmp_path / "outbox").iterdir()
    assert str(eml) in out and "INV-0007.pdf" in eml.read_text()
