"""python -m dspex: run an adapter's command locally, list what adapters register, scaffold a new adapter."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
