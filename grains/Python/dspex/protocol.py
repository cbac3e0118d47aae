"""The worker protocol's names, loaded from protocol.json beside this file: the one definition the silo is tested
against too, so the two sides cannot drift. Frames from the bridge map to the silo's BridgeFrameType members, and
error kinds are the DSPexErrorKind names a bridge may send."""

from __future__ import annotations

import json
import os
from typing import Any, Final

PROTOCOL_FILE: Final[str] = os.path.join(os.path.dirname(os.path.abspath(__file__)), "protocol.json")


def _load() -> dict[str, Any]:
    with open(PROTOCOL_FILE, "r", encoding="utf-8") as file:
        return json.load(file)


DEFINITION: Final[dict[str, Any]] = _load()


def _name(section: str, name: str) -> str:
    """A name the file lists; a KeyError at import names a constant the file lost."""
    names = DEFINITION[section]
    if name not in names:
        raise KeyError("%s is not in %s of %s" % (name, section, PROTOCOL_FILE))
    return name


def _exit_code(name: str) -> int:
    return int(DEFINITION["exit_codes"][name])


VERSION: Final[int] = int(DEFINITION["version"])

# Frames the silo sends.
CALL: Final[str] = _name("frames_to_bridge", "call")
CANCEL: Final[str] = _name("frames_to_bridge", "cancel")
CREDIT: Final[str] = _name("frames_to_bridge", "credit")
HEARTBEAT: Final[str] = _name("frames_to_bridge", "heartbeat")
CHUNK: Final[str] = _name("frames_to_bridge", "chunk")
CHUNKS_END: Final[str] = _name("frames_to_bridge", "chunks_end")
TOOL_RESULT: Final[str] = _name("frames_to_bridge", "tool_result")

# Frames the bridge sends.
READY: Final[str] = _name("frames_from_bridge", "ready")
RESULT: Final[str] = _name("frames_from_bridge", "result")
ERROR: Final[str] = _name("frames_from_bridge", "error")
ITEM: Final[str] = _name("frames_from_bridge", "item")
CHUNK_CREDIT: Final[str] = _name("frames_from_bridge", "chunk_credit")
HEARTBEAT_REPLY: Final[str] = _name("frames_from_bridge", "heartbeat")
FATAL: Final[str] = _name("frames_from_bridge", "fatal")
PROTOCOL_ERROR: Final[str] = _name("frames_from_bridge", "protocol_error")
TOOL_CALL: Final[str] = _name("frames_from_bridge", "tool_call")
LIST_TOOLS: Final[str] = _name("frames_from_bridge", "list_tools")

# Error kinds a bridge may report for a request.
PYTHON_EXCEPTION: Final[str] = _name("error_kinds", "PythonException")
UNKNOWN_COMMAND: Final[str] = _name("error_kinds", "UnknownCommand")
INVALID_ARGUMENTS: Final[str] = _name("error_kinds", "InvalidArguments")
RESULT_NOT_SERIALIZABLE: Final[str] = _name("error_kinds", "ResultNotSerializable")
FRAME_TOO_LARGE: Final[str] = _name("error_kinds", "FrameTooLarge")
INTERNAL: Final[str] = _name("error_kinds", "Internal")

# Why a tool call failed (dspex.ToolError.kind): the ones Python itself raises.
TOOL_CANCELLED: Final[str] = _name("tool_error_kinds", "Cancelled")
TOOL_INVALID_ARGUMENTS: Final[str] = _name("tool_error_kinds", "InvalidArguments")
TOOL_FRAME_TOO_LARGE: Final[str] = _name("tool_error_kinds", "FrameTooLarge")
TOOL_UNAVAILABLE: Final[str] = _name("tool_error_kinds", "ToolUnavailable")
TOOL_RESULT_NOT_SERIALIZABLE: Final[str] = _name("tool_error_kinds", "ResultNotSerializable")
# The ones only the silo sends.
TOOL_FAILED: Final[str] = _name("tool_error_kinds", "ToolFailed")
TOOL_UNKNOWN: Final[str] = _name("tool_error_kinds", "UnknownTool")
TOOL_FORBIDDEN: Final[str] = _name("tool_error_kinds", "Forbidden")
TOOL_DEADLINE_EXCEEDED: Final[str] = _name("tool_error_kinds", "DeadlineExceeded")
TOOL_TOO_MANY_CALLS: Final[str] = _name("tool_error_kinds", "TooManyToolCalls")

# How a worker process ends, as the silo's log shows it ("exit code N").
EXIT_STOPPED: Final[int] = _exit_code("stopped")
EXIT_ADAPTER_IMPORT_FAILED: Final[int] = _exit_code("adapter_import_failed")
EXIT_PARENT_GONE: Final[int] = _exit_code("parent_gone")
EXIT_SILO_PIPE_GONE: Final[int] = _exit_code("silo_pipe_gone")
EXIT_BRIDGE_FAILED: Final[int] = _exit_code("bridge_failed")

# Bounds on a request every part agrees on (the silo's RequestLimits; a .NET unit test checks they match).
MAX_COMMAND_LENGTH: Final[int] = int(DEFINITION["request_limits"]["max_command_length"])
MAX_JSON_DEPTH: Final[int] = int(DEFINITION["request_limits"]["max_json_depth"])
DEFAULT_MAX_FRAME_BYTES: Final[int] = int(DEFINITION["request_limits"]["default_max_frame_bytes"])

# Binary parts after an envelope (dspex.binary): the dtypes both sides know, by name, with their item sizes.
DTYPE_SIZES: Final[dict[str, int]] = {str(k): int(v) for k, v in DEFINITION["binary_parts"]["dtypes"].items()}
MAX_ARRAY_DIMS: Final[int] = int(DEFINITION["binary_parts"]["max_dims"])
