"""The extension's settings (``c.TrainbookServer.*``) and where the trainbook CLI is."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from traitlets import Float, Int, Unicode
from traitlets.config import Configurable

from .redact import hub_secrets, redact_url, scrub

HUB_ENV = "TRAINBOOK_HUB"


class TrainbookServer(Configurable):
    """Settings of trainbook's server extension; `trainbook jupyter install` records node and cli."""

    hub_url = Unicode(
        None,
        allow_none=True,
        config=True,
        help="The team hub's PostgreSQL URL (postgres://user@host:5432/db). Default: TRAINBOOK_HUB in the server's environment. Never taken from a request.",
    )
    node = Unicode("", config=True, help="The node binary that runs the trainbook CLI. Default: the one recorded at install, else node on PATH.")
    cli = Unicode("", config=True, help="The trainbook CLI script (sdk/bin/trainbook.js). Default: recorded at install, else found beside this package.")
    timeout = Float(60.0, config=True, help="Seconds one CLI call may take before it is stopped (the request then answers 504).")
    report_timeout = Float(300.0, config=True, help="Seconds `trainbook report` may take for the dashboard's Write report (large stores take longer than a hub read).")
    max_concurrent = Int(4, config=True, help="CLI calls running at once; more requests wait their turn.")

    def resolved_hub_url(self) -> str | None:
        """The configured hub URL, else TRAINBOOK_HUB; None when neither is set."""
        url = self.hub_url if self.hub_url is not None else os.environ.get(HUB_ENV)
        return url.strip() if url and url.strip() else None

    def hub_label(self) -> str | None:
        url = self.resolved_hub_url()
        return redact_url(url) if url else None

    def secrets(self) -> list[str]:
        """Every password this server could know of (the URL's, PGPASSWORD), to keep out of replies and logs."""
        return hub_secrets(self.resolved_hub_url(), os.environ)

    def scrubbed(self, body: Any) -> Any:
        """`body` with any password this server knows replaced by *** (the CLI redacts already; this checks again)."""
        return scrub(body, self.secrets())

    def resolved_node(self) -> str | None:
        if self.node:
            return self.node if os.access(self.node, os.X_OK) else None
        return shutil.which("node")

    def resolved_cli(self) -> str | None:
        if self.cli:
            return self.cli if os.path.isfile(self.cli) else None
        # Linked for development or run from the npm package: sdk/python/trainbook_server -> sdk/bin.
        beside = Path(__file__).resolve().parent.parent.parent / "bin" / "trainbook.js"
        return str(beside) if beside.is_file() else None
