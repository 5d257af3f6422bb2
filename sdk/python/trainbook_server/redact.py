"""Passwords out of what leaves the server: URLs redacted, known secrets scrubbed from any text."""
from __future__ import annotations

import re
from typing import Any, Mapping
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit


def redact_url(url: str) -> str:
    """The URL without its password (in the authority or as a password= parameter)."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            netloc = f"{userinfo.split(':', 1)[0]}@{host}"
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != "password"])
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        text = re.sub(r"(//[^:/@\s]*):[^@\s]*@", r"\1@", url)
        return re.sub(r"([?&]password=)[^&\s]*", r"\1", text, flags=re.IGNORECASE)


def hub_secrets(url: str | None, env: Mapping[str, str]) -> list[str]:
    """The passwords a hub URL and the environment carry, as written and percent-decoded."""
    found: list[str] = []
    if url:
        try:
            parts = urlsplit(url)
            if "@" in parts.netloc:
                userinfo = parts.netloc.rsplit("@", 1)[0]
                if ":" in userinfo:
                    found.append(userinfo.split(":", 1)[1])
            found += [v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() == "password"]
        except ValueError:
            pass
    if env.get("PGPASSWORD"):
        found.append(env["PGPASSWORD"])
    variants = {form for secret in found for form in (secret, unquote(secret)) if form}
    # Longest first, so a secret containing another is replaced whole.
    return sorted(variants, key=len, reverse=True)


def scrub_text(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def scrub(value: Any, secrets: list[str]) -> Any:
    """`value` (parsed JSON) with every secret replaced by *** in its strings and keys."""
    if not secrets:
        return value
    if isinstance(value, str):
        return scrub_text(value, secrets)
    if isinstance(value, list):
        return [scrub(item, secrets) for item in value]
    if isinstance(value, dict):
        return {scrub_text(key, secrets): scrub(item, secrets) for key, item in value.items()}
    return value
