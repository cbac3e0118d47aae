"""Example program types that hold real state in the worker, to show affinity and rebuilds, and example async
commands (async_sleep, async_count).

An opt-in adapter module, not part of every worker: a silo that wants them lists it, e.g.
``--DSPex:Pool:AdapterModules:0=dspex.examples`` (the tests do; production pools load only their own adapters).
"""

from __future__ import annotations

import asyncio
import os
import re
from typing import Any, AsyncIterator

from .context import get_var, set_var
from .errors import InvalidArguments
from .programs import program_type
from .registry import command
from .templates import Template


@program_type("keyword_classifier")
class KeywordClassifier:
    """Classifies text by keyword counts. Built from {"labels": {"label": ["kw", ...]}, "default": "..."}.

    It learns: each call's text adds to per-label vocabulary counts kept in this worker's memory, and it
    reports how many calls this instance has served, so a caller can see whether it ran on the same build.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self.labels: dict[str, list[str]] = {label: [kw.lower() for kw in words] for label, words in spec.get("labels", {}).items()}
        self.default: str = spec.get("default", "unknown")
        self.calls = 0
        self.built_in_pid = os.getpid()

    def __call__(self, args: Any) -> dict[str, Any]:
        self.calls += 1
        words = re.findall(r"\w+", str(args.get("text", "")).lower())
        scores = {label: sum(words.count(kw) for kw in keywords) for label, keywords in self.labels.items()}
        best = max(scores, key=lambda label: scores[label]) if scores and max(scores.values()) > 0 else self.default
        history = get_var("history", [])
        set_var("history", (history + [best])[-20:])
        return {"label": best, "scores": scores, "calls_on_this_build": self.calls, "pid": self.built_in_pid}


@program_type("template")
class TemplateProgram:
    """Fills a template from the call's args: {name} fields with an optional format spec (see dspex.templates)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        if "template" not in spec:
            raise InvalidArguments("a template program's spec needs a \"template\" string")
        self.template = Template(spec["template"])
        self.calls = 0

    def __call__(self, args: Any) -> dict[str, Any]:
        self.calls += 1
        return {"text": self.template.fill(args), "calls_on_this_build": self.calls, "pid": os.getpid()}


@command("async_sleep")
async def async_sleep(args: Any) -> dict[str, Any]:
    """An async command: awaits args['ms'] milliseconds (default 50) on the worker's event loop, holding no thread,
    like a call to a language model or a web service would."""
    await asyncio.sleep(float((args or {}).get("ms", 50)) / 1000.0)
    return {"slept_ms": (args or {}).get("ms", 50), "pid": os.getpid()}


@command("async_count")
async def async_count(args: Any) -> AsyncIterator[dict[str, int]]:
    """An async generator command (a stream): yields {"i": 0..count-1}, awaiting args['ms'] milliseconds before each."""
    for i in range(int((args or {}).get("count", 3))):
        await asyncio.sleep(float((args or {}).get("ms", 0)) / 1000.0)
        yield {"i": i}
