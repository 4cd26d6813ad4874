"""The extension objects, created once and bound to each app in ``create_app``."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

from guildkit import GuildKit


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
# As the README says: guildkit's tables go in the host's database; it writes on its own connection.
gk = GuildKit(db=db)
login_manager = LoginManager()
# Limits on the app's own forms (sign-in: auth.py). Counts live in RATELIMIT_STORAGE_URI (memory
# for the demo); a moving window, so no burst fits across the edge of two windows.
limiter = Limiter(key_func=get_remote_address, strategy="moving-window", headers_enabled=True)
