"""TUI start-up and responsiveness.

    python benchmarks/tui_bench.py [--repeat 5] [--orders 1000000]

1. Cold start: a fresh interpreter imports crm-tui's app and runs it headless on the sample
   data; timed from the interpreter's start to the first painted, interactive screen, and to
   the sample's segments on screen. Reference in the same command: a one-widget Textual app
   started the same way (the floor any Textual app pays).
2. Responsiveness: the app segments a Parquet file of N orders in its worker while a 20 ms
   timer on the UI thread records how late it fires; the worst and median lateness say whether
   the interface stayed responsive.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COLD = r"""
import asyncio, json, time, sys
start = time.perf_counter()
KIND = sys.argv[1]
async def main():
    if KIND == "reference":
        from textual.app import App
        from textual.widgets import Static
        class Ref(App):
            def compose(self):
                yield Static("hello")
        app = Ref()
    else:
        from crm_tui.app.sample import sample_paths
        from crm_tui.tui.app import CrmApp
        s = sample_paths()
        app = CrmApp(s["orders"], s["visitors"], s["profiles"], s)
    ready = []

    def hook(message):
        # Textual posts Ready once the first frame is on screen and input is handled
        if type(message).__name__ == "Ready" and not ready:
            ready.append(time.perf_counter() - start)

    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await pilot.pause()
        painted = ready[0] if ready else time.perf_counter() - start
        await app.workers.wait_for_complete()
        await pilot.pause()
        loaded = time.perf_counter() - start
    print(json.dumps([painted, loaded]))
asyncio.run(main())
"""

LAG = r"""
import asyncio, json, time, sys
from crm_tui.tui.app import CrmApp
path = sys.argv[1]
async def main():
    app = CrmApp(None, None, None, {})
    lateness = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        last = [time.perf_counter()]
        def tick():
            now = time.perf_counter()
            lateness.append(max(0.0, now - last[0] - 0.02))
            last[0] = now
        timer = app.set_interval(0.02, tick)
        from textual.widgets import Input
        app.query_one("#orders-path", Input).value = path
        start = time.perf_counter()
        app.load_data()
        await pilot.pause()
        await app.workers.wait_for_complete()
        took = time.perf_counter() - start
        timer.stop()
        orders = app.state.segmentation.orders if app.state.segmentation else 0
    lateness.sort()
    print(json.dumps([took, orders, lateness[len(lateness) // 2], lateness[-1], len(lateness)]))
asyncio.run(main())
"""


def run(code: str, *args: str) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--orders", type=int, default=1_000_000)
    args = parser.parse_args()
    times: dict[str, list[list[float]]] = {"reference": [], "crm-tui": []}
    for _ in range(args.repeat):
        for kind in times:
            times[kind].append(run(COLD, kind))
    for kind, rows in times.items():
        painted = statistics.median(r[0] for r in rows)
        loaded = statistics.median(r[1] for r in rows)
        print(
            f"{kind:>9}: first interactive screen {painted:.2f} s (median of {args.repeat}); "
            f"sample segmented and shown {loaded:.2f} s"
        )
    ratio = statistics.median(r[0] for r in times["crm-tui"]) / statistics.median(
        r[0] for r in times["reference"]
    )
    print(f"crm-tui / one-widget app to first screen = {ratio:.2f}x  (goal: under 1.5 s)")

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from segment_bench import build

    path = build(args.orders)
    took, orders, median_late, worst_late, ticks = run(LAG, str(path))
    print(
        f"segmenting {int(orders):,} orders in the TUI took {took:.2f} s; the UI timer fired "
        f"{int(ticks)} times, median lateness {1000 * median_late:.0f} ms, worst "
        f"{1000 * worst_late:.0f} ms"
    )


if __name__ == "__main__":
    main()
