"""`make bench [BENCH=name]`: runs every tests/bench/bench_*.py module's `main()` (or just the named one)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    wanted = argv[0] if argv else ""
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if wanted:
        names = [n for n in names if n in (wanted, f"bench_{wanted}")]
        if not names:
            print(f"no benchmark named {wanted!r}; choose one of: {', '.join(n[6:] for n in names)}")
            return 2
    for name in names:
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"tests.bench.{name}")
        module.main()
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    print("figures written to .bench/results.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
