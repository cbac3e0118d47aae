"""str.format-style templates filled from caller data, without letting the caller reach beyond that data.

A field is a plain name looked up in the call's args: no attribute access (``{a.__class__}``), no indexing
(``{a[0]}``), no positions, no nested fields in a format spec. Widths and precisions are bounded, and so is the
output, so a template cannot make the worker spend unbounded time or memory.
"""

from __future__ import annotations

import re
import string
from typing import Any, Callable, Optional

from .errors import InvalidArguments

MAX_WIDTH = 1000
MAX_OUTPUT_CHARS = 1000000

# A checked field: its name, its format spec, and its conversion (repr, str, ascii or none).
Field = tuple[str, str, Optional[Callable[[Any], str]]]

# The standard format spec: [[fill]align][sign][z][#][0][width][grouping][.precision][type]
_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d+))?[bcdeEfFgGnosxX%]?", re.DOTALL)
_CONVERSIONS: dict[Optional[str], Optional[Callable[[Any], str]]] = {None: None, "r": repr, "s": str, "a": ascii}


class Template:
    """A parsed template; :meth:`fill` formats it from a dict. Raises InvalidArguments naming what is wrong."""

    def __init__(self, template: Any) -> None:
        if not isinstance(template, str):
            raise InvalidArguments("the template must be a string, not %s" % type(template).__name__)
        try:
            parts = list(string.Formatter().parse(template))
        except ValueError as exc:
            raise InvalidArguments("the template is not valid: %s" % exc) from None
        self._parts: list[tuple[str, Optional[Field]]] = [(literal, _checked_field(field, spec, conversion)) for literal, field, spec, conversion in parts]

    def fill(self, values: Any) -> str:
        if not isinstance(values, dict):
            raise InvalidArguments("a template is filled from a JSON object of values, not %s" % type(values).__name__)
        pieces: list[str] = []
        size = 0
        for literal, field in self._parts:
            pieces.append(literal)
            size += len(literal)
            if field is not None:
                text = _format(field, values)
                pieces.append(text)
                size += len(text)
            if size > MAX_OUTPUT_CHARS:
                raise InvalidArguments("the filled template exceeds %d characters" % MAX_OUTPUT_CHARS)
        return _without_lone_surrogates("".join(pieces))


def _checked_field(name: Optional[str], spec: Optional[str], conversion: Optional[str]) -> Optional[Field]:
    if name is None:
        return None
    spec = spec or ""
    shown = ascii(name)
    if not name.isidentifier():
        raise InvalidArguments("template field %s is not a plain name: attribute access, indexing and positions are "
                               "not allowed" % shown)
    if conversion not in _CONVERSIONS:
        raise InvalidArguments("template field %s has an unknown conversion !%s" % (shown, ascii(conversion)[1:-1]))
    if "{" in spec or "}" in spec:
        raise InvalidArguments("template field %s has a nested field in its format spec, which is not allowed" % shown)
    match = _SPEC.fullmatch(spec)
    if match is None:
        raise InvalidArguments("template field %s has a format spec %s this template type does not accept" % (shown, ascii(spec)))
    for part in ("width", "precision"):
        digits = match.group(part)
        if digits and (len(digits) > 4 or int(digits) > MAX_WIDTH):
            raise InvalidArguments("template field %s asks for a %s of %s; at most %d is allowed"
                                   % (shown, part, digits if len(digits) <= 20 else digits[:20] + "...", MAX_WIDTH))
    return name, spec, _CONVERSIONS[conversion]


def _format(field: Field, values: dict[str, Any]) -> str:
    name, spec, convert = field
    if name not in values:
        raise InvalidArguments("the template needs a value for field %s, which the args do not have" % ascii(name))
    value = values[name]
    try:
        return format(convert(value) if convert else value, spec)
    except (TypeError, ValueError) as exc:
        raise InvalidArguments("template field %s cannot format its value with spec %s: %s"
                               % (ascii(name), ascii(spec), exc)) from None


def _without_lone_surrogates(text: str) -> str:
    """Lone UTF-16 surrogates (not Unicode, so not sendable as JSON text) become U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
