"""trainbook's Jupyter Server extension: the team hub's runs for the JupyterLab runs panel, and
reports written from the runs dashboard.

The browser asks this server (authenticated like every Jupyter API: token or login cookie); the
server asks the ``trainbook`` CLI (``ls --hub --json`` and friends) in a subprocess, with the hub
URL from the server's own configuration (``TRAINBOOK_HUB`` or ``c.TrainbookServer.hub_url``).
The browser never holds database credentials and cannot name a hub. It works while the
notebook's kernel is busy training, since it does not go through the kernel.

Endpoints (all GET, JSON) under ``<base_url>trainbook/api/hub/``: ``status``, ``runs``,
``runs/<run>``; and ``POST <base_url>trainbook/api/report``, which runs ``trainbook report`` on
local stores in the server's root folder (no hub needed); see ``handlers.py``.
"""
from __future__ import annotations

from typing import Any

from .config import TrainbookServer

__all__ = ["TrainbookServer", "_jupyter_server_extension_points", "_load_jupyter_server_extension"]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "trainbook_server"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Adds the hub and report handlers to the running Jupyter server."""
    from .cli import Trainbook
    from .handlers import route_table

    settings = TrainbookServer(parent=serverapp, config=serverapp.config)
    web_app = serverapp.web_app
    web_app.settings["trainbook_server"] = settings
    web_app.settings["trainbook_cli"] = Trainbook(settings)
    web_app.add_handlers(".*$", route_table(web_app.settings["base_url"]))
    hub = settings.hub_label()
    serverapp.log.info("trainbook: team hub endpoints at %strainbook/api/hub/ (%s)", web_app.settings["base_url"], hub or "no hub configured: set TRAINBOOK_HUB")
    serverapp.log.info("trainbook: report endpoint at %strainbook/api/report (writes into %s)", web_app.settings["base_url"], web_app.settings.get("server_root_dir"))


# Older servers look for the name without the underscore.
load_jupyter_server_extension = _load_jupyter_server_extension
