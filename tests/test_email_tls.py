"""Email over TLS: STARTTLS (``GUILDKIT_EMAIL_SMTP_SECURITY = "starttls"``, the default) and TLS
from the first byte (``"ssl"``), with a login, to a real aiosmtpd server that refuses anything
else, holding a throwaway self-signed certificate made here.

guildkit checks the server's certificate and host name against the system's trust store
(``ssl.create_default_context()``); it has no setting to trust another certificate, nor to skip
the check. OpenSSL reads that store from ``SSL_CERT_FILE`` when it is set, so a relay with a
private CA is trusted the way any OpenSSL client trusts it: these tests name their own
certificate there. The transport does not depend on the database: SQLite only."""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask

from guildkit import GuildKit
from guildkit.notifications.models import NotificationDelivery
from guildkit.testing import Clock, make_app
from guildkit.web import make_blueprint
from tests.smtp_server import Inbox, free_port, serving

SEND = "guildkit.notifications.send"
USERNAME, PASSWORD = "community@example.org", "correct horse"
NO_OTHER_USE = dict.fromkeys(
    ("crl_sign", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement", "encipher_only",
     "decipher_only"),
    False,
)  # fmt: skip
#: ``trust(cert_file)``: OpenSSL's trust store is that certificate alone.
Trust = Callable[[Path], None]


def certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``name`` (an IP address or a host name) and its key, as PEM
    files in ``folder``: its own CA, with the extensions OpenSSL's strict checks ask of one."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    try:
        alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        alt = x509.DNSName(name)
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, **NO_OTHER_USE), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / f"{name}.pem", folder / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def server_tls(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


def check_login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (USERNAME.encode(), PASSWORD.encode())
    return AuthResult(success=ok, auth_data=data.login.decode() if ok else None)


def options(security: str, tls: ssl.SSLContext) -> dict[str, Any]:
    """How the server speaks ``security``, refusing mail (and the login) without it."""
    if security == "starttls":
        return {"tls_context": tls, "require_starttls": True, "authenticator": check_login, "auth_required": True}
    # TLS from the first byte: aiosmtpd cannot tell, so it must not ask for STARTTLS before a login.
    return {"ssl_context": tls, "authenticator": check_login, "auth_require_tls": False}


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch) -> Trust:
    """Until it is called, nothing set: the system's store, which knows none of the certificates
    made here."""
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    return lambda cert_file: monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))


@pytest.fixture
def site(tmp_path: Path, gk_clock: Clock) -> Iterator[tuple[Flask, GuildKit, int]]:
    """A site whose email goes to 127.0.0.1 on a free port, and Ann, who wants her badges by email."""
    port = free_port()
    config = {
        "GUILDKIT_EMAIL_FROM": "Example community <community@example.org>",
        "GUILDKIT_EMAIL_SMTP_HOST": "127.0.0.1",
        "GUILDKIT_EMAIL_SMTP_PORT": port,
        "GUILDKIT_EMAIL_SMTP_USERNAME": USERNAME,
        "GUILDKIT_EMAIL_SMTP_PASSWORD": PASSWORD,
        "GUILDKIT_EMAIL_SMTP_TIMEOUT": 5.0,
        "GUILDKIT_EMAIL_SITE_URL": "https://community.example.org",
        "GUILDKIT_EMAIL_ADDRESS_LOADER": lambda user_id: f"{user_id}@example.org",
        "GUILDKIT_NOTIFICATIONS_EMAIL_DELAY": 0,
        "GUILDKIT_NOTIFICATIONS_WAKE_SECONDS": None,
    }
    with make_app("sqlite", tmp_path, config=config, clock=gk_clock) as (app, gk):
        app.register_blueprint(make_blueprint(), url_prefix="/community")
        gk.join("ann")
        gk.notifier.set_preferences("ann", {"badge_awarded": "email"})
        yield app, gk, port


def tell_ann(gk: GuildKit, text: str) -> None:
    member_id = gk.member("ann").id
    gk.transaction(lambda tx: tx.tell(member_id, "badge_awarded", text))


def last_error(gk: GuildKit) -> tuple[str, str | None]:
    with gk.store.engine.connect() as conn:
        row = conn.execute(
            sa.select(NotificationDelivery.state, NotificationDelivery.error).order_by(NotificationDelivery.id.desc())
        ).first()
    assert row is not None
    return row.state, row.error


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_email_goes_over_tls_with_the_login(
    site: tuple[Flask, GuildKit, int], tmp_path: Path, trusted: Trust, security: str
) -> None:
    app, gk, port = site
    app.config["GUILDKIT_EMAIL_SMTP_SECURITY"] = security
    cert_file, key_file = certificate(tmp_path, "127.0.0.1")
    trusted(cert_file)
    inbox = Inbox()
    with serving(inbox, port, **options(security, server_tls(cert_file, key_file))):
        tell_ann(gk, "You earned First Answer")
        assert gk.jobs.run(SEND)["sent"] == 1
    [(recipients, message)] = inbox.received
    assert recipients == ["ann@example.org"] and message["Subject"] == "You earned First Answer"
    [session] = inbox.sessions
    assert session.authenticated and session.auth_data == USERNAME
    if security == "starttls":  # the server took mail only after STARTTLS: it says how it went
        assert session.ssl is not None and session.ssl["cipher"]


def test_a_certificate_the_site_cannot_verify_is_refused_until_it_can(
    site: tuple[Flask, GuildKit, int], gk_clock: Clock, tmp_path: Path, trusted: Trust
) -> None:
    """Nothing goes out to a server guildkit cannot verify (the password least of all): not one
    whose certificate nobody vouches for, nor one whose trusted certificate names another host.
    The email waits, the reason on its row, and goes once the server can be verified."""
    _, gk, port = site
    ours, our_key = certificate(tmp_path, "127.0.0.1")
    theirs, their_key = certificate(tmp_path, "mail.example.org")
    inbox = Inbox()
    tell_ann(gk, "You earned First Answer")
    with serving(inbox, port, **options("starttls", server_tls(ours, our_key))):
        assert gk.jobs.run(SEND)["pending"] == 1
    state, error = last_error(gk)
    assert state == "pending" and error is not None and "certificate verify failed" in error

    trusted(theirs)
    gk_clock.advance(minutes=5)  # past the first backoff
    with serving(inbox, port, **options("starttls", server_tls(theirs, their_key))):
        assert gk.jobs.run(SEND)["pending"] == 1
    state, error = last_error(gk)
    assert state == "pending" and error is not None and "mismatch" in error and "127.0.0.1" in error

    trusted(ours)
    gk_clock.advance(minutes=15)
    with serving(inbox, port, **options("starttls", server_tls(ours, our_key))):
        assert gk.jobs.run(SEND)["sent"] == 1
    assert [str(m["Subject"]) for m in inbox.messages] == ["You earned First Answer"]
    assert last_error(gk) == ("sent", None)
