"""guildkit's web layer: the blueprint with the JSON API and the community pages.

Plugins that add routes of their own can ask who is calling with :func:`current_caller` (a
signed-in person through the host's loader or Flask-Login, or an API token) and check
``caller.can("admin")``, and answer errors with :func:`problem` (RFC 9457, like guildkit's API).
"""

from guildkit.web.auth import Caller, current_caller
from guildkit.web.blueprint import make_blueprint
from guildkit.web.endpoint import endpoint
from guildkit.web.errors import ApiError, problem

__all__ = ["ApiError", "Caller", "current_caller", "endpoint", "make_blueprint", "problem"]
