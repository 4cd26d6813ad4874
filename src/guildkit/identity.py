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

A page that names many users (a leaderboard, the moderators to assign a case to) asks for
them together; a host that can look many up in one query registers a batch loader instead,
which guildkit then uses for one user too:

.. code-block:: python

    @gk.user_infos_loader
    def user_infos(user_ids):
        users = User.query.filter(User.id.in_([int(u) for u in user_ids]))
        return {str(u.id): UserInfo(name=u.name, profile_url=f"/u/{u.id}") for u in users}

Within a request each user is looked up once: what a loader said is kept in the request's
environ (not on ``flask.g``, which a host may keep open across requests).

With Flask-Login installed and no loader registered, the current user is
``flask_login.current_user.get_id()`` when authenticated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from flask import current_app, has_request_context, request

from guildkit.errors import ConfigurationError


@dataclass(frozen=True)
class UserInfo:
    """How to show a user: a display name, and optional avatar and profile links."""

    name: str
    avatar_url: str | None = None
    profile_url: str | None = None


CurrentUserLoader = Callable[[], "str | int | None"]
UserInfoLoader = Callable[[str], "UserInfo | Mapping[str, str | None] | None"]
UserInfosLoader = Callable[[list[str]], "Mapping[str, UserInfo | Mapping[str, str | None] | None]"]

_FIELDS = frozenset(("name", "avatar_url", "profile_url"))


def _checked(info: object, loader: Callable[..., object], decorator: str) -> UserInfo | None:
    """What a loader returned for one user, as a :class:`UserInfo` (``None``: unknown to the host).

    Anything but a :class:`UserInfo`, a mapping with its keys or ``None`` is the host's bug,
    reported at the first call with the fix rather than as a 500 on some page later.
    """
    if info is None or isinstance(info, UserInfo):
        return info
    where = f"@gk.{decorator} {getattr(loader, '__qualname__', repr(loader))}"
    if isinstance(info, Mapping):
        unknown = set(info) - _FIELDS
        values_ok = all(v is None or isinstance(v, str) for v in info.values())
        if unknown or not isinstance(info.get("name"), str) or not values_ok:
            raise ConfigurationError(
                f"{where} returned a mapping with keys {sorted(info)}: it needs a "
                f"text 'name' and may have text 'avatar_url' and 'profile_url' (or return guildkit.UserInfo)"
            )
        name, avatar, profile = info["name"], info.get("avatar_url"), info.get("profile_url")
        return UserInfo(name=str(name), avatar_url=avatar, profile_url=profile)
    raise ConfigurationError(
        f"{where} returned {type(info).__name__}: return guildkit.UserInfo(name=..., "
        f"avatar_url=..., profile_url=...), a dict with those keys, or None for an unknown user"
    )


@dataclass
class UserLookup:
    """The host's loaders, asked the way the caller needs: many users at once, each once a request."""

    one: UserInfoLoader | None = None
    many: UserInfosLoader | None = None

    def infos(self, user_ids: Iterable[str]) -> dict[str, UserInfo]:
        """How to show each user: what the host's loaders say, else ``User <id>``."""
        wanted = list(dict.fromkeys(user_ids))
        kept: dict[str, UserInfo] = request.environ.setdefault(_KEPT, {}) if has_request_context() else {}
        missing = [user for user in wanted if user not in kept]
        if missing:
            found = self._load(missing)
            for user in missing:
                kept[user] = found.get(user) or UserInfo(name=f"User {user}")
        return {user: kept[user] for user in wanted}

    def _load(self, user_ids: list[str]) -> dict[str, UserInfo | None]:
        if self.many is not None:
            answered: object = self.many(user_ids)
            if not isinstance(answered, Mapping):
                where = getattr(self.many, "__qualname__", repr(self.many))
                raise ConfigurationError(
                    f"@gk.user_infos_loader {where} returned {type(answered).__name__}: return a dict of "
                    f"user id (text) to guildkit.UserInfo, leaving out the users the host does not know"
                )
            return {user: _checked(answered.get(user), self.many, "user_infos_loader") for user in user_ids}
        if self.one is not None:
            one = self.one
            return {user: _checked(one(user), one, "user_info_loader") for user in user_ids}
        return {}


#: Where a request keeps the users it has looked up.
_KEPT = "guildkit.user_infos"


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
