"""An agent loop in plain standard-library Python that acts through .NET tools (docs/tools.md).

A small rule-based "model" stands in for the language model: given the question, the tools (from dspex.list_tools(),
with their descriptions and JSON Schemas, as an agent framework would show them to a model) and what it observed so
far, it either asks for a tool call or answers. The loop runs the calls through dspex.call_tool; a tool that fails
(dspex.ToolError) becomes an observation the model answers around, as a real agent would.

Load it in a silo with --DSPex:Pool:AdapterPaths:0=$PWD/examples/agent (an absolute path) --DSPex:Pool:AdapterModules:0=agent_example.
"""

from __future__ import annotations

import re
from typing import Any

from dspex import ToolError, call_tool, command, list_tools

Decision = tuple[str, Any, Any]


def rule_based_model(question: str, tools: dict[str, dict[str, Any]], observations: dict[str, Any]) -> Decision:
    """("call", tool, args) or ("answer", text, None): the plan a model would make, by rules."""
    text = question.lower()
    city = re.search(r"\bin ([A-Za-z][A-Za-z -]*?)(?:[?.!,]| and |$)", question)
    if "weather" in text and "weather" in tools and "weather" not in observations:
        return ("call", "weather", {"city": city.group(1).strip() if city else "Paris"})
    if "search" in tools and "search" not in observations:
        topic = re.sub(r"(?i)^.*\bwhat is\b", "", question).strip(" ?.!") or question
        return ("call", "search", {"query": topic})
    return ("answer", compose(observations), None)


def compose(observations: dict[str, Any]) -> str:
    parts = []
    weather = observations.get("weather")
    if isinstance(weather, dict) and "forecast" in weather:
        parts.append("In %s it is %s at %s C." % (weather["city"], weather["forecast"], weather["temperatureC"]))
    search = observations.get("search")
    if isinstance(search, dict) and "snippet" in search:
        parts.append(search["snippet"])
    elif isinstance(search, dict) and "error" in search:
        parts.append("(The search did not answer: %s.)" % search["error"])
    return " ".join(parts) or "I could not find anything."


@command("agent")
def agent(args: dict[str, Any]) -> dict[str, Any]:
    """Answers args["question"] with the tools the caller offers; returns the answer and the steps taken."""
    question = str(args["question"])
    tools = {tool["name"]: tool for tool in list_tools()}
    observations: dict[str, Any] = {}
    steps = []
    for _ in range(int(args.get("max_steps", 5))):
        kind, what, tool_args = rule_based_model(question, tools, observations)
        if kind == "answer":
            return {"answer": what, "steps": steps}
        try:
            observations[what] = call_tool(what, tool_args)
        except ToolError as exc:
            observations[what] = {"error": exc.message, "kind": exc.kind}
        steps.append({"tool": what, "args": tool_args, "observation": observations[what]})
    return {"answer": compose(observations), "steps": steps}
