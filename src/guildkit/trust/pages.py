"""What the trust feature adds to the pages: the member's own trust section on their profile
(``guildkit/trust/_member.html``, in the profile's ``member`` slot), and the template functions
it reads, ``gk_trust_status(user_id)`` and ``gk_privileges(user_id)``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from guildkit.routes import Routes
from guildkit.web.endpoint import gk_instance

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")


@pages.context_processor
def _context() -> dict[str, Any]:
    return {
        "gk_trust_status": lambda user_id: gk_instance().trust.status(user_id),
        "gk_privileges": lambda user_id: gk_instance().privileges(user_id),
    }
