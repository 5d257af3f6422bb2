"""The body of ``POST trainbook/api/report``, checked before the CLI sees any of it.

``{"stores": [...], "runs": [...], "output": "...", "title": "..."}``: every path is relative to
the server's root folder (``/`` between folders), without ``..``, NUL or a leading ``/``, ``\\``,
``~`` or drive letter, and its real path (links followed) stays inside the root. Inputs are
notebooks (``x.ipynb``: its store ``x.trainbook/`` beside it) or store folders (``.trainbook``);
the output is an ``.html`` file in an existing folder of the root, not inside a store, and not a
link or a folder. Run ids have the core's shape (``core/src/format/ids.ts``), so no run argument
can be read as a filter or an option. Anything else is refused with 400 and a message that says
what to change.

The CLI gets the real paths, relative to the root it runs in, after ``--`` (a path can never be
read as an option). The checks guard against a request that names files outside the root; they
do not race a user who swaps links while the report is written (that user can already run code).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from .cli import CliError

# The core's run id shape (core/src/format/ids.ts RUN_ID_PATTERN).
RUN_ID = re.compile(r"^[0-9]{8}-[0-9]{9}-[0-9a-z]{5}$")
STORE_SUFFIX = ".trainbook"
NOTEBOOK_SUFFIX = ".ipynb"
REPORT_SUFFIX = ".html"
MAX_STORES = 200
# 2,000 ids of 25 characters and their commas fit in one argv element (Linux: 128 KiB at most).
MAX_RUNS = 2_000
MAX_PATH = 4_096
MAX_TITLE = 500
FIELDS = frozenset({"stores", "runs", "output", "title"})


@dataclass(frozen=True)
class ReportRequest:
    """A checked request: store folders and the output as real paths relative to the root."""

    stores: tuple[str, ...]
    runs: tuple[str, ...]
    output: str
    title: str | None

    def cli_args(self) -> list[str]:
        """`trainbook report` arguments, each one argv element; the stores after `--`."""
        args = [f"--output={self.output}", f"--runs={','.join(self.runs)}"]
        if self.title is not None:
            args.append(f"--title={self.title}")
        return [*args, "--", *self.stores]


def refuse(message: str, code: str = "invalid-request") -> CliError:
    return CliError(400, code, message)


def parse_report_request(body: Any, root: str) -> ReportRequest:
    """The checked request for `body` (parsed JSON) in the server's root folder `root`; raises CliError(400)."""
    if not isinstance(body, dict):
        raise refuse('The body is a JSON object: {"stores": [...], "runs": [...], "output": "report.html", "title": "..."}.')
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise refuse(f"Unknown field {unknown[0]!r}; the report takes stores, runs, output and title.")
    root_real = os.path.realpath(os.path.expanduser(root))
    stores = _string_list(body.get("stores"), "stores", MAX_STORES)
    store_dirs = _unique(_store_dir(root_real, value) for value in stores)
    runs = _unique(_run_id(value) for value in _string_list(body.get("runs"), "runs", MAX_RUNS))
    output = _output_file(root_real, body.get("output"))
    return ReportRequest(stores=tuple(store_dirs), runs=tuple(runs), output=output, title=_title(body.get("title")))


def _string_list(value: Any, field: str, limit: int) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        raise refuse(f"{field!r} is a non-empty list of strings.")
    if len(value) > limit:
        raise refuse(f"{field!r} holds at most {limit} entries.")
    return value


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(values))


def _run_id(value: str) -> str:
    if not RUN_ID.match(value):
        raise refuse(f"{value[:80]!r} is not a run id (such as 20261122-210850123-k3f9q).", "invalid-run")
    return value


def _title(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TITLE or "\0" in value:
        raise refuse(f"'title' is text of at most {MAX_TITLE} characters.")
    return value.strip() or None


def _parts(value: Any, field: str) -> list[str]:
    """The folder names of a relative path; refuses what could leave the root by its text alone."""
    if not isinstance(value, str) or value.strip() == "":
        raise refuse(f"{field!r} is a path relative to the server's root folder.", "invalid-path")
    shown = value[:200]
    if len(value) > MAX_PATH or "\0" in value:
        raise refuse(f"{field!r}: {shown!r} is not a usable path (too long, or a NUL character).", "invalid-path")
    if value.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", value):
        raise refuse(f"{field!r}: {shown!r} is absolute; give a path relative to the server's root folder.", "invalid-path")
    if "\\" in value:
        raise refuse(f"{field!r}: {shown!r} has a backslash; use / between folders.", "invalid-path")
    parts = [part for part in value.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise refuse(f"{field!r}: {shown!r} goes up with '..'; give a path inside the server's root folder.", "invalid-path")
    if not parts:
        raise refuse(f"{field!r}: {shown!r} names the root folder itself.", "invalid-path")
    return parts


def _inside(root_real: str, parts: list[str], field: str, shown: str) -> str:
    """The real path of `parts` under the root; refuses one that a link takes out of it."""
    real = os.path.realpath(os.path.join(root_real, *parts))
    if real != root_real and os.path.commonpath([root_real, real]) != root_real:
        raise refuse(f"{field!r}: {shown[:200]!r} leads out of the server's root folder (through a link).", "outside-root")
    return real


def _relative(root_real: str, real: str) -> str:
    return os.path.relpath(real, root_real).replace(os.sep, "/")


def _store_dir(root_real: str, value: str) -> str:
    """The store folder an input names (a notebook's sidecar store, or the folder itself), relative to the root."""
    parts = _parts(value, "stores")
    name = parts[-1]
    if name.endswith(NOTEBOOK_SUFFIX) and len(name) > len(NOTEBOOK_SUFFIX):
        _inside(root_real, parts, "stores", value)  # a notebook linked from outside names an outside store too
        store_parts = [*parts[:-1], name[: -len(NOTEBOOK_SUFFIX)] + STORE_SUFFIX]
        where = f"{value!r} has no store beside it ({store_parts[-1]}/); its runs appear there once it called trainbook.init()."
    elif name.endswith(STORE_SUFFIX):
        store_parts = parts
        where = f"{value!r} is not a trainbook store folder."
    else:
        raise refuse(f"'stores': {value[:200]!r} is neither a notebook (.ipynb) nor a store folder (.trainbook).", "invalid-path")
    real = _inside(root_real, store_parts, "stores", value)
    if not os.path.isdir(real):
        raise refuse(where, "no-store")
    return _relative(root_real, real)


def _output_file(root_real: str, value: Any) -> str:
    """Where the report goes, relative to the root: an .html file in an existing folder, outside any store."""
    parts = _parts(value, "output")
    name = parts[-1]
    if not name.lower().endswith(REPORT_SUFFIX) or len(name) <= len(REPORT_SUFFIX):
        raise refuse(f"'output': {value[:200]!r} is not an .html file name (such as report.html).", "invalid-path")
    if any(part.endswith(STORE_SUFFIX) for part in parts[:-1]):
        raise refuse(f"'output': {value[:200]!r} is inside a store folder; write the report beside it.", "invalid-path")
    folder = _inside(root_real, parts[:-1], "output", value) if len(parts) > 1 else root_real
    if not os.path.isdir(folder):
        raise refuse(f"'output': the folder of {value[:200]!r} does not exist.", "invalid-path")
    if os.path.basename(folder).endswith(STORE_SUFFIX):
        raise refuse(f"'output': {value[:200]!r} is inside a store folder; write the report beside it.", "invalid-path")
    target = os.path.join(folder, name)
    if os.path.islink(target):
        raise refuse(f"'output': {value[:200]!r} is a link; the report replaces only a plain file.", "invalid-path")
    if os.path.lexists(target) and not os.path.isfile(target):
        raise refuse(f"'output': {value[:200]!r} exists and is not a file.", "invalid-path")
    return _relative(root_real, target)
