"""Mailing the daily report: one message, the HTML report with the text report as its plain
alternative, through the SMTP server of the config file. Python's own smtplib and email do the
protocol and the MIME; this module only decides what goes in and turns failures into one line."""

from __future__ import annotations

import dataclasses
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from vipctl.config import MailSettings
from vipctl.errors import UserError
from vipctl.i18n import _


def recipients(value: str) -> list[str]:
    """``ADDR[,ADDR]``: each must at least look like an address."""
    found = [a.strip() for a in value.split(",") if a.strip()]
    wrong = [a for a in found if "@" not in a or any(c.isspace() for c in a)]
    if not found or wrong:
        said = _("--mail-to: not an e-mail address: {given}")
        raise UserError(said.format(given=", ".join(wrong) or repr(value)))
    return found


def server(settings: MailSettings, given: str | None) -> MailSettings:
    """The config's settings with ``--smtp HOST[:PORT]`` in place of its host and port."""
    if given is None:
        return settings
    host, _colon, port = given.strip().partition(":")
    if not host or (port and not (port.isdigit() and 0 < int(port) < 65536)):
        said = _("--smtp: expected HOST or HOST:PORT (got {given})")
        raise UserError(said.format(given=repr(given)))
    # The config's leave to log in without TLS was given for its own host, not this one.
    allowed = settings.allow_plaintext_auth and host == settings.host
    port_given = int(port) if port else settings.port
    return dataclasses.replace(settings, host=host, port=port_given, allow_plaintext_auth=allowed)


def plaintext_warning(settings: MailSettings) -> str | None:
    """What to say when the password is to cross in clear, as the config allows."""
    if settings.user is None or settings.starttls or not settings.allow_plaintext_auth:
        return None
    said = _(
        "the SMTP password of {user} goes to {host} without TLS, in clear "
        "(allow_plaintext_auth in [mail])"
    )
    return said.format(user=settings.user, host=settings.host)


def message(sender: str, to: list[str], subject: str, text: str, html: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def send(settings: MailSettings, to: list[str], subject: str, text: str, html: str) -> None:
    if settings.host is None:
        raise UserError(_("no SMTP server: set host in the [mail] table of the config file"))
    sender = settings.sender or settings.user
    if sender is None:
        raise UserError(_("no sender address: set from (or user) in the [mail] table"))
    password = None
    if settings.user is not None:
        if not settings.starttls and not settings.allow_plaintext_auth:
            said = _(
                "not sending the SMTP password of {user} to {host} in clear: set starttls = "
                "true in [mail], or allow_plaintext_auth = true for a server on your own machine"
            )
            raise UserError(said.format(user=settings.user, host=settings.host))
        password = os.environ.get(settings.password_env)
        if not password:
            said = _("set ${variable} to the SMTP password of {user}")
            raise UserError(said.format(variable=settings.password_env, user=settings.user))
    where = f"{settings.host}:{settings.server_port}"
    try:
        with smtplib.SMTP(settings.host, settings.server_port, timeout=60) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user is not None:
                smtp.login(settings.user, password or "")
            smtp.send_message(message(sender, to, subject, text, html))
    except smtplib.SMTPAuthenticationError:
        said = _("{server} refused the login of {user}")
        raise UserError(said.format(server=where, user=settings.user)) from None
    except (smtplib.SMTPException, OSError) as exc:
        said = _("cannot mail the report through {server}: {why}")
        raise UserError(said.format(server=where, why=exc)) from None
