"""Makes the bridge that imports it report another protocol version in its ready frame, as the bridge of an
incompatible release would (the silo must refuse it). Adapter code is trusted and runs inside the bridge, so this
needs no hook in the product. The version comes from the test's pool environment (default 2)."""

import os
import sys

# The bridge runs as a script: its module globals are __main__'s, read when it sends the ready frame.
sys.modules["__main__"].PROTOCOL_VERSION = os.environ.get("DSPEX_TEST_REPORTED_PROTOCOL", "2")


# A worker refuses an adapter module that registers nothing (AdapterRegistersNothing): this one registers a command,
# so the bridge reaches its ready frame and the silo judges the protocol version it reports.
from dspex import command  # noqa: E402


@command("other_protocol_reported")
def other_protocol_reported(args):
    return sys.modules["__main__"].PROTOCOL_VERSION
