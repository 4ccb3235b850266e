"""Mailing the report to a real SMTP server started by the tests (aiosmtpd), in plain SMTP and
with STARTTLS and a login, and checking what arrived."""

import email
import email.policy
import socket
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from test_report import DAY


class Inbox:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"

    def message(self, i: int = 0):
        return email.message_from_bytes(self.envelopes[i].content, policy=email.policy.default)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox():
    box = Inbox()
    server = Controller(box, hostname="127.0.0.1", port=free_port())
    server.start()
    yield box, server.port
    server.stop()


def configure(own_config, port: int, **more: str) -> None:
    lines = ["[mail]", 'host = "127.0.0.1"', f"port = {port}", *more.values()]
    own_config.write_text("\n".join(lines) + "\n")


def test_the_report_arrives_as_html_with_a_text_alternative(book, inbox, own_config):
    box, port = inbox
    configure(own_config, port, tls="starttls = false", sender='from = "vipctl@example.com"')
    sent = book("report", "--date", DAY, "--mail-to", "lead@example.com, me@example.com")
    assert sent.exit_code == 0, sent.output
    assert sent.stdout == ""  # mailed, not printed
    assert len(box.envelopes) == 1
    assert box.envelopes[0].rcpt_tos == ["lead@example.com", "me@example.com"]
    msg = box.message()
    assert msg["Subject"] == "vipctl daily report 2026-11-24: 3 clients to contact"
    assert msg["From"] == "vipctl@example.com"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = msg.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert "To do today\n-----------" in text and "138****5678" in text
    assert html.startswith("<!DOCTYPE html>") and "<h2>In grace</h2>" in html
    # A report mailed counts as made: the next one starts from it.
    assert (
        '"previous_report": "2026-11-24"'
        in book("report", "--date", "2026-11-25", "-f", "json").stdout
    )


@pytest.fixture
def certificate(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return key, cert


def test_starttls_and_login_with_the_password_from_the_environment(
    book,
    own_config,
    certificate,
    monkeypatch,
):
    import ssl

    key, cert = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)

    box = Inbox()
    server = Controller(
        box, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True,
        authenticator=authenticate, auth_require_tls=True,
    )  # fmt: skip
    server.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test's own certificate
        configure(own_config, server.port, user='user = "me@example.com"')
        missing = book("report", "--date", DAY, "--mail-to", "lead@example.com")
        assert missing.exit_code == 1
        assert "set $VIPCTL_SMTP_PASSWORD to the SMTP password of me@example.com" in missing.stderr
        monkeypatch.setenv("VIPCTL_SMTP_PASSWORD", "wrong")
        refused = book("report", "--date", DAY, "--mail-to", "lead@example.com")
        assert refused.exit_code == 1 and "refused the login of me@example.com" in refused.stderr
        monkeypatch.setenv("VIPCTL_SMTP_PASSWORD", "s3cret")
        sent = book("report", "--date", DAY, "--mail-to", "lead@example.com")
        assert sent.exit_code == 0, sent.output
        assert logins[-1] == ("me@example.com", "s3cret")
        assert box.message()["From"] == "me@example.com"
    finally:
        server.stop()


def test_the_server_can_be_given_on_the_command_line(book, inbox, own_config):
    box, port = inbox
    own_config.write_text(
        '[mail]\nhost = "smtp.invalid"\nstarttls = false\nfrom = "v@example.com"\n'
    )
    sent = book(
        "report", "--date", DAY, "--mail-to", "me@example.com", "--smtp", f"127.0.0.1:{port}"
    )
    assert sent.exit_code == 0, sent.output
    assert box.envelopes[0].rcpt_tos == ["me@example.com"]
    wrong = book("report", "--date", DAY, "--mail-to", "me@example.com", "--smtp", "host:port")
    assert wrong.exit_code == 1 and "--smtp: expected HOST or HOST:PORT" in wrong.stderr
    alone = book("report", "--date", DAY, "--smtp", f"127.0.0.1:{port}")
    assert alone.exit_code == 2 and "--smtp: only with --mail-to" in alone.stderr


def test_mail_problems_are_one_clear_line(book, own_config):
    nowhere = book("report", "--date", DAY, "--mail-to", "lead@example.com")
    assert nowhere.exit_code == 1 and "no SMTP server" in nowhere.stderr
    configure(own_config, free_port(), tls="starttls = false", sender='from = "v@example.com"')
    down = book("report", "--date", DAY, "--mail-to", "lead@example.com")
    assert down.exit_code == 1 and "cannot mail the report through 127.0.0.1:" in down.stderr
    assert len(down.stderr.strip().splitlines()) == 1
    bad = book("report", "--date", DAY, "--mail-to", "lead, x@example.com")
    assert bad.exit_code == 1 and "not an e-mail address: lead" in bad.stderr
    own_config.write_text('[mail]\nhost = "h"\npassword = "oops"\n')
    leaked = book("report", "--date", DAY, "--mail-to", "lead@example.com")
    assert leaked.exit_code == 1 and "[mail] password: never in the file" in leaked.stderr
    # None of these runs counts as a report made.
    own_config.write_text("")
    assert '"previous_report": null' in book("report", "--date", "2026-11-25", "-f", "json").stdout
