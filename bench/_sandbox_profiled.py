"""`python -m stripe_sandbox` under cProfile (which, on Python 3.12+, sees every thread:
the server answers each connection in a thread of its own); the stats are written to the
path in BENCH_SANDBOX_PROFILE when the sandbox stops. Used by bench/autopay.py under
BENCH_PROFILE."""

from __future__ import annotations

import cProfile
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stripe_sandbox import __main__ as sandbox_main  # noqa: E402

if __name__ == "__main__":
    profile = cProfile.Profile()
    profile.enable()
    try:
        sandbox_main.main(sys.argv[1:])
    finally:
        profile.disable()
        profile.dump_stats(os.environ["BENCH_SANDBOX_PROFILE"])
