"""How guildkit learns who the current user is and how to show a user.

The host registers loader callbacks, in the style of Flask-Login's ``user_loader``:

.. code-block:: python

    @gk.current_user_loader
    def current_user_id():
        return session.get("user_id")

    @gk.user_info_loader
    def user_info(user_id):
        user = db.session.get(User, int(user_id))
        return UserInfo(name=user.name, avatar_url=user.avatar, profile_url=f"/u/{user.id}")

With Flask-Login installed and no loader registered, the current user is
``flask_login.current_user.get_id()`` when authenticated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import current_app

from guildkit.errors import ConfigurationError


@dataclass(frozen=True)
class UserInfo:
    """How to show a user: a display name, and optional avatar and profile links."""

    name: str
    avatar_url: str | None = None
    profile_url: str | None = None


CurrentUserLoader = Callable[[], "str | int | None"]
UserInfoLoader = Callable[[str], "UserInfo | Mapping[str, str | None] | None"]

_FIELDS = frozenset(("name", "avatar_url", "profile_url"))


def as_user_info(loader: UserInfoLoader, user_id: str) -> UserInfo | None:
    """Call the host's loader and take a :class:`UserInfo`, a mapping with its keys, or ``None``.

    Anything else is the host's bug, reported at the first call with the fix rather than as a
    500 on some page later.
    """
    info = loader(user_id)
    if info is None or isinstance(info, UserInfo):
        return info
    where = getattr(loader, "__qualname__", repr(loader))
    if isinstance(info, Mapping):
        unknown = set(info) - _FIELDS
        values_ok = all(v is None or isinstance(v, str) for v in info.values())
        if unknown or not isinstance(info.get("name"), str) or not values_ok:
            raise ConfigurationError(
                f"@gk.user_info_loader {where} returned a mapping with keys {sorted(info)}: it needs a "
                f"text 'name' and may have text 'avatar_url' and 'profile_url' (or return guildkit.UserInfo)"
            )
        name, avatar, profile = info["name"], info.get("avatar_url"), info.get("profile_url")
        return UserInfo(name=str(name), avatar_url=avatar, profile_url=profile)
    raise ConfigurationError(
        f"@gk.user_info_loader {where} returned {type(info).__name__}: return guildkit.UserInfo(name=..., "
        f"avatar_url=..., profile_url=...), a dict with those keys, or None for an unknown user"
    )


def flask_login_user_id() -> str | None:
    """The Flask-Login user's id, when Flask-Login is installed and set up on this app."""
    if "login_manager" not in current_app.extensions and not hasattr(current_app, "login_manager"):
        return None
    try:
        from flask_login import current_user
    except ImportError:  # pragma: no cover - flask-login is optional
        return None
    if not current_user or not current_user.is_authenticated:
        return None
    user_id = current_user.get_id()
    return None if user_id is None else str(user_id)
