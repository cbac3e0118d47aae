"""The gRPC peer of the benchmark: one Python process serving the benchmark's commands over gRPC (grpcio).

The nearest peer of a DSPex worker is a Python gRPC server per worker. This one serves the same registered command
functions as the bridge (dspex.builtins and the benchmark adapter, called as the Python.NET scenario calls them:
JSON text in, json.loads, the function, json.dumps, JSON text out), one unary method per command
(/dspex.bench.Peer/<command>), with raw bytes as messages: no protobuf, no generated code.

Usage: grpc_peer_server.py BRIDGE_DIR ADAPTER_DIR THREADS MARKER
Prints "ready PORT" on stdout once it listens on 127.0.0.1 (an ephemeral port); exits when stdin closes (its parent,
the benchmark, ended), so it cannot outlive the run. MARKER only rides on the command line (the benchmark's check that
no process is left behind finds it there).
"""

import json
import os
import sys
import threading
from concurrent import futures

import grpc

SERVICE = "dspex.bench.Peer"


def _load_commands(bridge_dir, adapter_dir):
    sys.path.insert(0, adapter_dir)
    sys.path.insert(0, bridge_dir)
    import dspex  # noqa: E402
    import dspex.builtins  # noqa: F401,E402  (registers ping and echo)
    import dspex_bench_adapter  # noqa: F401,E402  (registers cpu_spin)

    return dspex.commands()


def _handler(function):
    def unary(request, context):
        result = function(json.loads(request))
        return json.dumps(result, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    # No (de)serializers: the messages are the bytes as they are.
    return grpc.unary_unary_rpc_method_handler(unary)


def main():
    bridge_dir, adapter_dir, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    commands = _load_commands(bridge_dir, adapter_dir)
    handlers = {name: _handler(function) for name, function in commands.items()}
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=threads))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"ready {port}\n")
    sys.stdout.flush()

    # The parent holds our stdin: EOF means it is gone (or done with us).
    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
