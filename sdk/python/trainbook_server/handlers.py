"""trainbook's endpoints (JSON, authenticated as every Jupyter API) under ``trainbook/api/``.

``GET hub/status``       is a hub configured, its redacted URL, is it reachable, its schema version
``GET hub/runs``         the team's runs: ``query`` (the runs panel's language), ``sort``, ``desc``, ``limit``
``GET hub/runs/<run>``   one run (id, unique id prefix or unique name): ``points`` per series, or ``format=export``
``POST report``          writes a report of local runs into the server's root folder (no hub needed;
                         XSRF checked as for Jupyter's other POST APIs); see ``report_request.py``

Every parameter is checked here and passed to the CLI as one argv element (``--runs=<query>``);
parameters not listed are refused (400), so no request can name a hub URL or credentials.
Errors are ``{"error": message, "code": code}`` with a 4xx/5xx status, never a traceback.
"""
from __future__ import annotations

import json
import os
import re
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from .cli import CliError, Trainbook
from .report_request import parse_report_request

# What Jupyter itself reads from the query string (the token login), allowed beside each endpoint's own.
_JUPYTER_PARAMS = {"token", "_xsrf"}
MAX_QUERY = 10_000
MAX_REFERENCE = 1_000
DEFAULT_LIMIT = 200
MAX_LIMIT = 100_000
DEFAULT_POINTS = 1_000
MAX_REPORT_BODY = 1_000_000


class TrainbookHandler(APIHandler):
    """Shared parts: the settings, parameter checks, JSON replies, JSON errors."""

    allowed: frozenset[str] = frozenset()
    #: What a 405 says this endpoint answers.
    answers = "The hub endpoints only answer GET."

    @property
    def trainbook(self) -> Trainbook:
        return self.settings["trainbook_cli"]

    def check_params(self) -> None:
        unknown = sorted(set(self.request.arguments) - self.allowed - _JUPYTER_PARAMS)
        if unknown:
            raise CliError(400, "unknown-parameter", f"Unknown parameter {unknown[0]!r}; this endpoint takes {', '.join(sorted(self.allowed)) or 'none'}. The hub is set on the server, never by a request.")

    def text_param(self, name: str, limit: int) -> str | None:
        values = self.request.arguments.get(name, [])
        if len(values) > 1:
            raise CliError(400, "usage", f"Give {name!r} once.")
        value = self.get_argument(name, None)
        if value is not None and len(value) > limit:
            raise CliError(400, "usage", f"{name!r} is longer than {limit} characters.")
        return value

    def int_param(self, name: str, default: int, low: int, high: int) -> int:
        text = self.text_param(name, 20)
        if text is None or text == "":
            return default
        if not text.isdigit() or not low <= int(text) <= high:
            raise CliError(400, "usage", f"{name!r} takes a whole number from {low} to {high}.")
        return int(text)

    def bool_param(self, name: str) -> bool:
        text = self.text_param(name, 10)
        if text in (None, "", "0", "false"):
            return False
        if text in ("1", "true"):
            return True
        raise CliError(400, "usage", f"{name!r} takes true or false.")

    def reply(self, body: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(self.settings["trainbook_server"].scrubbed(body), allow_nan=False))

    def fail(self, error: CliError) -> None:
        self.set_status(error.status)
        self.reply({"error": error.message, "code": error.code})

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # Tornado's own errors (403 without a login, 405) and anything unforeseen: JSON, no traceback.
        code = {403: "forbidden", 404: "not-found", 405: "method-not-allowed"}.get(status_code, "unexpected" if status_code >= 500 else "bad-request")
        message = {403: "Log in to Jupyter first (token or login cookie).", 405: self.answers}.get(status_code, "Unexpected error (the server log has it)." if status_code >= 500 else "Bad request.")
        reason = getattr(kwargs.get("exc_info", (None, None))[1], "log_message", None) or ""
        if status_code == 403 and "xsrf" in reason.lower():
            code, message = "xsrf", "The request lacks Jupyter's XSRF token (the _xsrf cookie sent back as X-XSRFToken), as every POST from a browser needs."
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": message, "code": code}))

    async def answer(self, work) -> None:
        try:
            self.check_params()
            self.reply(await work())
        except CliError as error:
            if error.status >= 500:
                self.log.warning("trainbook: %s (%s)", error.message, error.code)
            self.fail(error)


class StatusHandler(TrainbookHandler):
    """``GET status``: ``{configured, hub, reachable, schemaVersion, runs, events, points}`` (+ ``error``, ``code`` when not reachable)."""

    @tornado.web.authenticated
    async def get(self) -> None:
        async def work() -> dict[str, Any]:
            settings = self.settings["trainbook_server"]
            label = settings.hub_label()
            if label is None:
                return {"configured": False, "hub": None, "reachable": False, "schemaVersion": None}
            try:
                status = await self.trainbook.json(["hub", "status", "--json"])
            except CliError as error:
                reachable = error.code not in ("hub-unreachable", "hub-auth", "hub-url", "timeout", "cli-missing")
                return {"configured": True, "hub": label, "reachable": reachable, "schemaVersion": None, "error": error.message, "code": error.code}
            return {"configured": True, "reachable": True, **status}

        await self.answer(work)


class RunsHandler(TrainbookHandler):
    """``GET runs?query=&sort=&desc=&limit=``: ``{hub, total, runs: [record + status, recordedStatus, remote]}``."""

    allowed = frozenset({"query", "sort", "desc", "limit"})

    @tornado.web.authenticated
    async def get(self) -> None:
        async def work() -> Any:
            args = ["ls", "--hub", "--json", f"--limit={self.int_param('limit', DEFAULT_LIMIT, 0, MAX_LIMIT)}"]
            query = self.text_param("query", MAX_QUERY)
            if query and query.strip():
                args.append(f"--runs={query}")
            sort = self.text_param("sort", MAX_REFERENCE)
            if sort:
                args.append(f"--sort={sort}")
            if self.bool_param("desc"):
                args.append("--desc")
            return await self.trainbook.json(args)

        await self.answer(work)


class RunHandler(TrainbookHandler):
    """``GET runs/<run>?points=`` ``{hub, run}``; ``?format=export``: ``{hub, export}`` (lossless JSON export)."""

    allowed = frozenset({"points", "format"})

    @tornado.web.authenticated
    async def get(self, reference: str) -> None:
        async def work() -> Any:
            if not reference or len(reference) > MAX_REFERENCE:
                raise CliError(400, "usage", "Name a run by its id, a unique id prefix or its name.")
            label = self.settings["trainbook_server"].hub_label()
            form = self.text_param("format", 10) or "chart"
            if form == "export":
                if "points" in self.request.arguments:
                    raise CliError(400, "usage", "An export holds every point; 'points' goes with the chart form.")
                return {"hub": label, "export": await self.trainbook.json(["export", "--hub", "--format=json", "--", reference])}
            if form != "chart":
                raise CliError(400, "usage", "'format' is chart (default) or export.")
            points = self.int_param("points", DEFAULT_POINTS, 0, 10_000_000)
            if 0 < points < 4:
                raise CliError(400, "usage", "'points' is 0 (every point) or at least 4.")
            args = ["show", "--hub", "--json", "--series"] + ([f"--max-points={points}"] if points else []) + ["--", reference]
            run = await self.trainbook.json(args)
            if isinstance(run, dict):
                run.pop("dir", None)  # the CLI's temporary copy, nothing the browser can use
            return {"hub": label, "run": run}

        await self.answer(work)


class ReportHandler(TrainbookHandler):
    """``POST report`` ``{stores, runs, output, title?}``: ``{output, runs, message, warnings}``.

    Runs `trainbook report` (no shell, `c.TrainbookServer.report_timeout`) in the server's root
    folder on the checked paths; ``output`` is the written file relative to that root.
    """

    answers = "The report endpoint only answers POST."

    @tornado.web.authenticated
    async def post(self) -> None:
        async def work() -> dict[str, Any]:
            if len(self.request.body) > MAX_REPORT_BODY:
                raise CliError(413, "too-large", f"The request is larger than {MAX_REPORT_BODY} bytes.")
            try:
                body = json.loads(self.request.body.decode("utf-8")) if self.request.body else None
            except (UnicodeDecodeError, ValueError):
                raise CliError(400, "invalid-request", "The body is not JSON.") from None
            root = os.path.realpath(os.path.expanduser(self.settings["server_root_dir"]))
            request = parse_report_request(body, root)
            done = await self.trainbook.report(request.cli_args(), cwd=root)
            if not os.path.isfile(os.path.join(root, request.output)):
                raise CliError(500, "not-written", "The trainbook CLI finished but wrote no report (the server log has its output).")
            lines = [line for line in done.stdout.splitlines() if line.strip()]
            counted = re.search(r"\((\d+) runs?,", lines[0]) if lines else None
            skipped = [line.removeprefix("trainbook: ") for line in done.stderr.splitlines() if line.startswith("trainbook: skipped damaged data")]
            return {
                "output": request.output,
                "runs": int(counted.group(1)) if counted else len(request.runs),
                "message": lines[0] if lines else f"Wrote {request.output}",
                "warnings": skipped,
            }

        await self.answer(work)


def route_table(base_url: str) -> list[tuple[str, type, dict[str, Any]]]:
    api = url_path_join(base_url, "trainbook", "api")
    hub = url_path_join(api, "hub")
    return [
        (url_path_join(hub, "status"), StatusHandler, {}),
        (url_path_join(hub, "runs"), RunsHandler, {}),
        (url_path_join(hub, "runs", "([^/]+)"), RunHandler, {}),
        (url_path_join(api, "report"), ReportHandler, {}),
    ]
