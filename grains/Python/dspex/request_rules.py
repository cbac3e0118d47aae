"""The silo's entry rules for a request, for running a command without a silo (``python -m dspex run``,
``dspex.testing``): a command name of the allowed characters and length, arguments that are one JSON value, no lone
UTF-16 surrogate, nested at most MAX_JSON_DEPTH deep and within the frame limit. The bounds come from protocol.json,
the definition the silo's RequestLimits is tested against, so a call refused here is refused by a silo too."""

from __future__ import annotations

import json
import string
from typing import Any

from . import protocol
from .errors import InvalidArguments

COMMAND_CHARACTERS = frozenset(string.ascii_letters + string.digits + "_-.:/")


def check_command(name: str) -> str:
    """The name, or InvalidArguments naming what is wrong with it."""
    if not name:
        raise InvalidArguments("the command name is empty")
    if len(name) > protocol.MAX_COMMAND_LENGTH:
        raise InvalidArguments("the command name is %d characters long; at most %d are allowed" % (len(name), protocol.MAX_COMMAND_LENGTH))
    bad = sorted(set(name) - COMMAND_CHARACTERS)
    if bad:
        raise InvalidArguments("the command name holds %r; letters, digits and _ - . : / are allowed" % "".join(bad)[:20])
    return name


def parse_json(text: str, what: str, max_bytes: int = protocol.DEFAULT_MAX_FRAME_BYTES) -> Any:
    """One JSON value read as the silo accepts it, or InvalidArguments naming ``what`` and the rule it broke."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise InvalidArguments("%s are %d bytes; the frame limit is %d bytes" % (what, size, max_bytes))
    try:
        value = json.loads(text)
    except RecursionError:
        raise InvalidArguments("%s nest deeper than %d levels" % (what, protocol.MAX_JSON_DEPTH)) from None
    except ValueError as exc:
        raise InvalidArguments("%s are not one JSON value: %s" % (what, exc)) from None
    check_value(value, what)
    return value


def check_value(value: Any, what: str) -> None:
    """InvalidArguments when the decoded value nests past the depth limit or holds a lone surrogate."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > protocol.MAX_JSON_DEPTH:
                raise InvalidArguments("%s nest deeper than %d levels" % (what, protocol.MAX_JSON_DEPTH))
            children = list(item.items()) if isinstance(item, dict) else [(None, child) for child in item]
            for key, child in children:
                if key is not None:
                    _check_text(key, what)
                stack.append((child, depth + 1))
        elif isinstance(item, str):
            _check_text(item, what)


def _check_text(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArguments("%s hold a lone UTF-16 surrogate, which is not Unicode text" % what) from None
