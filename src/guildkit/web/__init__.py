"""guildkit's web layer: the blueprint with the JSON API and the community pages."""

from .blueprint import make_blueprint

__all__ = ["make_blueprint"]
