"""Handing an email to the host's mail system: its SMTP server, or a ``send`` callable it gives.

:class:`Mailer` opens one SMTP connection for a run of a job and sends each message on it, with
the standard library's :mod:`smtplib` (STARTTLS or TLS with certificate checks, a login when a
username is set, a timeout). With ``GUILDKIT_EMAIL_SEND`` the host's callable gets each
:class:`email.message.EmailMessage` instead (Flask-Mail, a provider's API).

A failure is raised as :class:`SendFailed`, saying whether trying again may help: the server
refused the recipient or the message for good (a 5xx answer) is ``final``; a server that is down,
slow, answering 4xx, or refusing the site's own setup (login, sender) is not. The jobs record
it and try again later; nothing reaches the host.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Any

DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class SendFailed(Exception):
    """The message was not accepted; ``final``: trying again will not help; ``unreachable``: the
    server could not be reached at all, so the other emails of this run would fail too."""

    def __init__(self, message: str, *, final: bool, unreachable: bool = False) -> None:
        super().__init__(message)
        self.final = final
        self.unreachable = unreachable


@dataclass(frozen=True)
class MailSettings:
    """The ``GUILDKIT_EMAIL_*`` keys that say how and whether email goes out."""

    sender: str | None
    host: str | None
    port: int
    username: str | None
    password: str | None
    security: str
    timeout: float
    send: Callable[[EmailMessage], Any] | None

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> MailSettings:
        security = config["GUILDKIT_EMAIL_SMTP_SECURITY"]
        return cls(
            sender=config["GUILDKIT_EMAIL_FROM"],
            host=config["GUILDKIT_EMAIL_SMTP_HOST"],
            port=config["GUILDKIT_EMAIL_SMTP_PORT"] or DEFAULT_PORTS[security],
            username=config["GUILDKIT_EMAIL_SMTP_USERNAME"],
            password=config["GUILDKIT_EMAIL_SMTP_PASSWORD"],
            security=security,
            timeout=float(config["GUILDKIT_EMAIL_SMTP_TIMEOUT"]),
            send=config["GUILDKIT_EMAIL_SEND"],
        )

    @property
    def enabled(self) -> bool:
        """A sender and a way to send: without them nothing is queued or sent."""
        return self.sender is not None and (self.host is not None or self.send is not None)


class Mailer:
    """Sends messages for one run of a job; use it as a context manager (it closes the connection)."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` over; :class:`SendFailed` if it was not accepted."""
        if self.settings.send is not None:
            try:
                self.settings.send(message)
            except Exception as exc:  # the host's sender: any failure is worth another try
                raise SendFailed(f"{type(exc).__name__}: {exc}", final=False) from exc
            return
        try:
            smtp = self._connection()
        except (OSError, smtplib.SMTPException) as exc:  # down, refused, TLS or login failed: the site's setup
            self.close()
            raise SendFailed(
                f"cannot reach the SMTP server: {type(exc).__name__}: {exc}", final=False, unreachable=True
            ) from exc
        try:
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise SendFailed(f"recipient refused: {exc.recipients}", final=all(c >= 500 for c in codes)) from exc
        except smtplib.SMTPDataError as exc:  # the message itself refused: for good on a 5xx
            raise SendFailed(f"{exc.smtp_code} {exc.smtp_error!r}", final=exc.smtp_code >= 500) from exc
        except (OSError, smtplib.SMTPException) as exc:  # dropped, timed out, the sender refused (setup)
            self.close()
            raise SendFailed(f"{type(exc).__name__}: {exc}", final=False) from exc

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        s = self.settings
        assert s.host is not None
        smtp: smtplib.SMTP
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return smtp

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
