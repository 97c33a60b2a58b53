"""Run the benchmarks: `make bench`, or `python -m tests.bench [NAME ...]`.

Each name in BENCHMARKS is a module of this package whose `main()` prints
its figures, one line each with the goal beside it. To add a benchmark,
write the module and add its name to BENCHMARKS. With names given, only
those run.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time

BENCHMARKS = ("projection", "google")


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmarks, or all of them, one after another."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench", description="Run bbh-sheets benchmarks."
    )
    known = ", ".join(BENCHMARKS)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"of {known}")
    names = parser.parse_args(argv).names or list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            parser.error(f"there is no benchmark {name!r}; use one of {known}.")
    for name in names:
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        importlib.import_module(f"tests.bench.{name}").main()
        seconds = time.perf_counter() - started
        print(f"== {name} done in {seconds:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
