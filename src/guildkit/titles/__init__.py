"""Titles: a member shows one badge they hold after their name (``docs/titles.md``)."""

from guildkit.titles.service import TitleChoice, Titles

__all__ = ["TitleChoice", "Titles"]
