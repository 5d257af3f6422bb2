"""Calls the trainbook CLI: no shell, arguments as a list, a timeout, the hub URL in its environment for hub reads.

The CLI is the one implementation of hub reads (the query compiler binds every value as a SQL
parameter); this module only starts it and turns its exit and output into a result or an error.
"""
from __future__ import annotations

import asyncio
import json
import os
import tempfile
from dataclasses import dataclass
from typing import Any

from .config import HUB_ENV, TrainbookServer
from .redact import scrub_text

# HTTP status by the error code the CLI reports (TRAINBOOK_ERROR_FORMAT=json).
_STATUS_BY_CODE = {
    "usage": 400,
    "hub-query": 400,
    "invalid-query": 400,
    "run-not-found": 404,
    "hub-run-not-found": 404,
    "hub-unreachable": 503,
    "hub-auth": 503,
    "hub-url": 500,
    "unexpected": 500,
}


@dataclass
class CliError(Exception):
    """A failed call, as the reply gives it: HTTP status, machine code, message without secrets."""

    status: int
    code: str
    message: str


@dataclass
class Finished:
    """A CLI call that exited: its exit code, its stdout as printed, its stderr scrubbed of secrets."""

    exit_code: int
    stdout: str
    stderr: str


class Trainbook:
    """Runs `trainbook <args>` for the handlers; at most `max_concurrent` at once.

    `json` is for hub reads (the hub URL in the CLI's environment, a temporary folder as its
    working folder); `report` writes a report from local stores in the server's root folder and
    needs no hub.
    """

    def __init__(self, settings: TrainbookServer):
        self.settings = settings
        self._slots = asyncio.Semaphore(max(1, settings.max_concurrent))

    async def json(self, args: list[str]) -> Any:
        """The JSON the CLI prints for `args` (each one argv element, never parsed by a shell)."""
        url = self.settings.resolved_hub_url()
        if url is None:
            raise CliError(503, "hub-not-configured", "No team hub is configured: set TRAINBOOK_HUB (or c.TrainbookServer.hub_url) where JupyterLab starts.")
        done = await self._run(args, {HUB_ENV: url}, cwd=tempfile.gettempdir(), timeout=self.settings.timeout, waited="The hub did not answer")
        if done.exit_code != 0:
            raise _error_from(done.exit_code, done.stderr)
        try:
            return json.loads(done.stdout)
        except ValueError:
            raise CliError(500, "bad-output", "The trainbook CLI printed something that is not JSON.") from None

    async def report(self, args: list[str], cwd: str) -> Finished:
        """`trainbook report <args>` in `cwd` (exit 0, or 1 when damaged data was skipped); other exits raise."""
        done = await self._run(["report", *args], {}, cwd=cwd, timeout=self.settings.report_timeout, waited="The report was not written")
        if done.exit_code not in (0, 1):
            raise _error_from(done.exit_code, done.stderr)
        return done

    async def _run(self, args: list[str], env_extra: dict[str, str], *, cwd: str, timeout: float, waited: str) -> Finished:
        """Starts node with the CLI and `args` (no shell), waits at most `timeout` seconds (then kills it: 504)."""
        node, cli = self.settings.resolved_node(), self.settings.resolved_cli()
        if node is None or cli is None:
            raise CliError(500, "cli-missing", "The trainbook CLI was not found: run `npx trainbook jupyter install` again (it records where node and trainbook are).")
        if any("\0" in arg for arg in args):
            raise CliError(400, "usage", "Parameters may not contain NUL characters.")
        env = {**os.environ, **env_extra, "TRAINBOOK_ERROR_FORMAT": "json", "NO_COLOR": "1"}
        async with self._slots:
            process = await asyncio.create_subprocess_exec(
                node, cli, *args,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                cwd=cwd, env=env,
            )
            try:
                stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=timeout)
            except asyncio.TimeoutError:
                process.kill()
                await process.wait()
                raise CliError(504, "timeout", f"{waited} within {timeout:g} s.") from None
        stderr_text = scrub_text(stderr.decode("utf-8", "replace"), self.settings.secrets())
        return Finished(process.returncode or 0, stdout.decode("utf-8", "replace"), stderr_text)


def _error_from(exit_code: int, stderr: str) -> CliError:
    """The CLI's last JSON error line (its message already redacted), else a generic one."""
    for line in reversed(stderr.strip().splitlines()):
        try:
            reported = json.loads(line)
        except ValueError:
            continue
        if isinstance(reported, dict) and isinstance(reported.get("error"), str) and isinstance(reported.get("code"), str):
            code = reported["code"]
            status = _STATUS_BY_CODE.get(code, 502 if code.startswith("hub-") else 400 if exit_code == 2 else 500)
            message = reported["error"] if status != 500 or code == "hub-url" else "Unexpected error in the trainbook CLI (the server log has it)."
            return CliError(status, code, message)
    # Commander's own usage errors (a bad option value) are text.
    if exit_code == 2:
        return CliError(400, "usage", stderr.strip().splitlines()[0][:500] if stderr.strip() else "The request's parameters were refused.")
    return CliError(500, "unexpected", "Unexpected error in the trainbook CLI (the server log has it).")
