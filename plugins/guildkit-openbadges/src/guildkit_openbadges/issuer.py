"""The per-app Open Badges issuer: config, key, and every document built from guildkit's data.

One :class:`OpenBadges` lives in ``app.extensions["guildkit_openbadges"]``. It reads badge
definitions from ``gk.registry`` and awards from guildkit's ``BadgeAward`` rows, and turns them
into the issuer Profile, Achievements, signed OpenBadgeCredentials and the status list. The key is
loaded (or created) on first use, never at ``init_app``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context, request
from guildkit import ConfigurationError, GuildKit, NotFound, UnknownBadge
from guildkit.models import BadgeAward, Member

from . import credentials as docs
from .keys import load_or_create, load_pem
from .verify import Verification, verify

EXTENSION = "guildkit_openbadges"
DEFAULTS: dict[str, Any] = {
    "GUILDKIT_OPENBADGES_URL_PREFIX": "/openbadges",
    "GUILDKIT_OPENBADGES_KEY": None,
    "GUILDKIT_OPENBADGES_KEY_FILE": None,
    "GUILDKIT_OPENBADGES_ISSUER_NAME": None,
    "GUILDKIT_OPENBADGES_ISSUER_URL": None,
    "GUILDKIT_OPENBADGES_BASE_URL": None,
    "GUILDKIT_OPENBADGES_RECIPIENT_EMAIL": None,
}
KEY_FILE_NAME = "guildkit-openbadges-key.pem"
STATUS_PATH = "/status/1"


class OpenBadges:
    def __init__(self, gk: GuildKit, app: Flask) -> None:
        self.gk = gk
        self.config = app.config
        self.app_name = app.name
        self.instance_path = Path(app.instance_path)
        self._key: docs.IssuerKey | None = None
        self._lock = threading.Lock()

    # -- key and identity ------------------------------------------------------------------

    @property
    def key(self) -> docs.IssuerKey:
        with self._lock:
            if self._key is None:
                pem = self.config["GUILDKIT_OPENBADGES_KEY"]
                if pem:
                    private = load_pem(pem, "GUILDKIT_OPENBADGES_KEY")
                else:
                    path = self.config["GUILDKIT_OPENBADGES_KEY_FILE"] or self.instance_path / KEY_FILE_NAME
                    private = load_or_create(Path(path))
                self._key = docs.IssuerKey(private)
            return self._key

    def url(self, path: str) -> str:
        prefix = self.config["GUILDKIT_OPENBADGES_URL_PREFIX"] or ""
        base = self.config["GUILDKIT_OPENBADGES_BASE_URL"]
        if base:
            return f"{str(base).rstrip('/')}{prefix}{path}"
        if has_request_context():
            return f"{request.host_url.rstrip('/')}{request.script_root}{prefix}{path}"
        raise ConfigurationError(
            "set GUILDKIT_OPENBADGES_BASE_URL (e.g. https://community.example.org) to issue credentials "
            "outside a request: they must name the public status list URL"
        )

    @property
    def status_list_url(self) -> str:
        return self.url(STATUS_PATH)

    def profile(self) -> dict[str, Any]:
        name = self.config["GUILDKIT_OPENBADGES_ISSUER_NAME"] or self.app_name
        return docs.profile(self.key.did, str(name), self.config["GUILDKIT_OPENBADGES_ISSUER_URL"])

    # -- achievements ----------------------------------------------------------------------

    def achievement(self, slug: str, level: int, *, public: bool = True) -> dict[str, Any]:
        """The Achievement for one badge level; ``public``: hide secret badges nobody holds."""
        definition = self.gk.registry.badges.get(slug)
        if definition is None or not 0 < level <= len(definition.levels):
            raise UnknownBadge(slug)
        if public and definition.secret and not self.gk.holder_counts().get(slug):
            raise UnknownBadge(slug)
        step = definition.levels[level - 1]
        criteria = "; ".join(rule.describe() for rule in self.gk.registry.rules_awarding(slug))
        thresholds = self.gk.registry.badge_thresholds(slug)
        if len(definition.levels) > 1:
            reached = f" (threshold {thresholds[level - 1]})" if thresholds and level <= len(thresholds) else ""
            criteria = f"{criteria}. Level {level} of {len(definition.levels)}, {step.tier}{reached}.".lstrip(". ")
        return docs.achievement(
            docs.stable_urn(self.key.did, "achievement", slug, level),
            name=definition.level_name(level),
            description=step.description or definition.description,
            narrative=criteria,
            image=self._absolute(definition.image),
        )

    def _absolute(self, image: str | None) -> str | None:
        if not image or image.startswith(("http://", "https://", "data:")):
            return image
        base = self.config["GUILDKIT_OPENBADGES_BASE_URL"]
        if base:
            return f"{str(base).rstrip('/')}/{image.lstrip('/')}"
        return f"{request.host_url.rstrip('/')}/{image.lstrip('/')}" if has_request_context() else None

    # -- credentials -----------------------------------------------------------------------

    def award(self, award_id: int) -> tuple[BadgeAward, str]:
        """A live award and its holder's user id (:class:`~guildkit.NotFound` otherwise)."""
        award = self.gk.session.get(BadgeAward, award_id, populate_existing=True)
        member = self.gk.session.get(Member, award.member_id) if award is not None else None
        if award is None or award.revoked_at is not None or member is None:
            raise NotFound(f"no live badge award {award_id}")
        return award, member.user_id

    def credential(self, award: BadgeAward, user_id: str) -> dict[str, Any]:
        key = self.key
        email_of: Callable[[str], str | None] | None = self.config["GUILDKIT_OPENBADGES_RECIPIENT_EMAIL"]
        email = email_of(user_id) if email_of is not None else None
        salt = key.salt("identity", award.id)
        return docs.open_badge_credential(
            credential_id=docs.stable_urn(key.did, "award", award.id),
            issuer=self.profile(),
            awarded_at=award.awarded_at,
            subject_identity=docs.identity(email or user_id, salt, email=bool(email)),
            achievement=self.achievement(award.badge_slug, award.level, public=False),
            status_list_url=self.status_list_url,
            status_index=award.id,
        )

    def jwt(self, award: BadgeAward, user_id: str) -> str:
        return docs.as_jwt(self.credential(award, user_id), self.key)

    def credentials_of(self, user_id: str) -> list[tuple[BadgeAward, str]]:
        """Every live award of ``user_id`` that still has a badge definition, with its VC-JWT."""
        found = []
        for award in self.gk.badges(user_id):
            definition = self.gk.registry.badges.get(award.badge_slug)
            if definition is not None and 0 < award.level <= len(definition.levels):
                found.append((award, self.jwt(award, user_id)))
        return found

    # -- status and verification -----------------------------------------------------------

    def revoked_ids(self) -> set[int]:
        rows = self.gk.session.scalars(sa.select(BadgeAward.id).where(BadgeAward.revoked_at.is_not(None)))
        return set(rows)

    def status_list_jwt(self) -> str:
        document = docs.status_list_credential(
            url=self.status_list_url, issuer_did=self.key.did, now=self.gk.clock(), revoked=self.revoked_ids()
        )
        payload = dict(document, iss=self.key.did, jti=document["id"])
        return self.key.sign(payload)

    def status(self, entry: dict[str, Any]) -> bool | None:
        """Revoked? From the local database: the index is the award id (``None``: not ours)."""
        index = entry.get("statusListIndex")
        if entry.get("statusPurpose") != "revocation" or not isinstance(index, str) or not index.isdigit():
            return None
        # A column query, not session.get: the identity map may hold the award from before a revoke.
        row = self.gk.session.execute(sa.select(BadgeAward.revoked_at).where(BadgeAward.id == int(index))).first()
        return None if row is None else row.revoked_at is not None

    def verify(self, text: str) -> Verification:
        return verify(text, now=self.gk.clock(), trusted_issuers={self.key.did}, status=self.status)


def openbadges(app: Flask | None = None) -> OpenBadges:
    """The app's :class:`OpenBadges` (the current app's by default)."""
    state: OpenBadges = (app or current_app).extensions[EXTENSION]
    return state
