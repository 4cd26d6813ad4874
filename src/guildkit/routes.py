"""Routes a feature declares at import time and guildkit installs on each blueprint it makes.

A feature cannot add views to a module-level blueprint: that would make its routes exist
whether or not the feature is switched on, and in every app alike. Instead it declares them on
a :class:`Routes`, with the same decorators as a Flask blueprint, and hands that to the core from
its plugin (``guildkit_register_routes``). :func:`guildkit.web.make_blueprint` replays the routes
of the plugins registered on the app onto that call's own ``api`` or ``pages`` blueprint, so
endpoint names (``guildkit.pages.events``) and URLs are the same as if they had been declared there.

.. code-block:: python

    api = Routes("api")

    @api.get("/widgets")
    @endpoint(summary="List widgets", response=WidgetSchema, many=True)
    def list_widgets(caller): ...
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Literal

from flask import Blueprint

F = Callable[..., Any]

#: The two blueprints a feature's routes go on: the JSON API (under ``/api``) or the pages.
Target = Literal["api", "pages"]


class Routes:
    """Blueprint decorators, recorded to be replayed onto a real blueprint by :meth:`install`."""

    def __init__(self, target: Target, *, template_folder: str | os.PathLike[str] | None = None) -> None:
        if target not in ("api", "pages"):
            raise ValueError(f"routes go on 'api' or 'pages', not {target!r}")
        self.target: Target = target
        #: Where the templates these views render live (searched after the host's and guildkit's own).
        self.template_folder = None if template_folder is None else os.fspath(template_folder)
        #: ``(blueprint method, its arguments)``: each replayed as ``getattr(blueprint, method)(*args, **kwargs)``.
        self._calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def _decorator(self, method: str, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        def decorate(function: F) -> F:
            self._calls.append((method, (*args, function), kwargs))
            return function

        return decorate

    def route(self, rule: str, **options: Any) -> Callable[[F], F]:
        return self._decorator("_route", rule, **options)

    def get(self, rule: str, **options: Any) -> Callable[[F], F]:
        return self.route(rule, methods=["GET"], **options)

    def post(self, rule: str, **options: Any) -> Callable[[F], F]:
        return self.route(rule, methods=["POST"], **options)

    def put(self, rule: str, **options: Any) -> Callable[[F], F]:
        return self.route(rule, methods=["PUT"], **options)

    def patch(self, rule: str, **options: Any) -> Callable[[F], F]:
        return self.route(rule, methods=["PATCH"], **options)

    def delete(self, rule: str, **options: Any) -> Callable[[F], F]:
        return self.route(rule, methods=["DELETE"], **options)

    def add_url_rule(self, rule: str, endpoint: str | None = None, view_func: F | None = None, **options: Any) -> None:
        self._calls.append(("add_url_rule", (rule, endpoint, view_func), options))

    def context_processor(self, function: F) -> F:
        """Values for every template the blueprint's views render (not only this feature's)."""
        self._calls.append(("context_processor", (function,), {}))
        return function

    def app_template_filter(self, name: str | None = None) -> Callable[[F], F]:
        """A Jinja filter for the whole app, like :meth:`flask.Blueprint.app_template_filter`."""

        def decorate(function: F) -> F:
            self._calls.append(("add_app_template_filter", (function, name), {}))
            return function

        return decorate

    def install(self, blueprint: Blueprint) -> None:
        """Declare every recorded route, context processor and filter on ``blueprint``."""
        for method, args, kwargs in self._calls:
            if method == "_route":
                *rule, function = args
                blueprint.route(*rule, **kwargs)(function)
            else:
                getattr(blueprint, method)(*args, **kwargs)
