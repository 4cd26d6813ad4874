"""The admin console's configuration keys (see docs/admin.md and docs/config.md)."""

from __future__ import annotations

from typing import Any

from guildkit.errors import ConfigurationError

DEFAULTS: dict[str, Any] = {
    # The largest badge image the console accepts, in bytes.
    "GUILDKIT_BADGE_IMAGE_MAX_BYTES": 256 * 1024,
}


def check(config: Any) -> None:
    image_max = config["GUILDKIT_BADGE_IMAGE_MAX_BYTES"]
    if not isinstance(image_max, int) or isinstance(image_max, bool) or image_max < 1:
        raise ConfigurationError("GUILDKIT_BADGE_IMAGE_MAX_BYTES must be a positive integer")
