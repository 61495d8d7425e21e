"""The player app on a phone: Lighthouse's mobile profile and the time until the sites are drawn.

A real `lupiae serve` (SQLite, the shipped content published) serves the built app
(`make web`) on a loopback port; Lighthouse (npm, `web/node_modules`) drives Debian's Chromium
(`CHROME_PATH=/usr/bin/chromium`) with its default mobile profile: a mid-range phone, slow 4G
and the CPU slowed 4x (simulated throttling). Then Playwright loads the page in the same
Chromium with the CPU slowed 4x (CDP `Emulation.setCPUThrottlingRate`) and reads the app's
`sites-drawn` performance mark (the map has drawn the sites) — the median of `--runs`.

    make bench-web      # or: .venv/bin/python benchmarks/web.py --runs 5

Prints the figures and writes benchmarks/results/web.json. Targets: performance >= 90,
accessibility >= 95, best practices >= 95, first load <= 500 KB (as transferred, gzipped),
sites drawn <= 2.5 s after navigation.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.services import migrated_sqlite_template  # noqa: E402
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402
from tests.web.server import DIST, serve  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "web.json"
LIGHTHOUSE = ROOT / "web" / "node_modules" / ".bin" / "lighthouse"
TARGETS = {
    "performance": 90,
    "accessibility": 95,
    "best_practices": 95,
    "first_load_kb_gz": 500,
    "sites_drawn_s": 2.5,
}
LOWER_IS_BETTER = {"first_load_kb_gz", "sites_drawn_s"}


def lighthouse(url: str, out: Path) -> dict[str, Any]:
    flags = " ".join(CHROMIUM_ARGS)
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--only-categories=performance,accessibility,best-practices",
            "--output=json",
            f"--output-path={out}",
            f"--chrome-flags={flags}",
            "--quiet",
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        timeout=300,
    )
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def summary(report: dict[str, Any]) -> dict[str, Any]:
    categories = report["categories"]
    audits = report["audits"]
    requests = audits["network-requests"]["details"]["items"]
    return {
        "performance": round(categories["performance"]["score"] * 100),
        "accessibility": round(categories["accessibility"]["score"] * 100),
        "best_practices": round(categories["best-practices"]["score"] * 100),
        "first_load_kb_gz": round(sum(r.get("transferSize", 0) for r in requests) / 1024, 1),
        "requests": len(requests),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "main_thread_ms": {
            item["groupLabel"]: round(item["duration"])
            for item in audits["mainthread-work-breakdown"]["details"]["items"]
        },
        "script_bootup_ms": {
            item["url"].rsplit("/", 1)[-1]: round(item["total"])
            for item in audits["bootup-time"]["details"]["items"][:5]
        },
        "failed_audits": sorted(
            audit_id
            for category in ("accessibility", "best-practices")
            for ref in categories[category]["auditRefs"]
            if ref["weight"] > 0
            and (audits[ref["id"]].get("score") is not None)
            and audits[ref["id"]]["score"] < 1
            for audit_id in [ref["id"]]
        ),
    }


def sites_drawn_s(url: str, runs: int) -> list[float]:
    """Seconds from navigation start to the app's `sites-drawn` mark, CPU slowed 4x."""
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            page.goto(url)
            page.wait_for_function(
                "performance.getEntriesByName('sites-drawn').length > 0", timeout=60_000
            )
            mark = page.evaluate("performance.getEntriesByName('sites-drawn')[0].startTime")
            times.append(round(mark / 1000, 3))
            context.close()
        browser.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="page loads for the sites-drawn time")
    args = parser.parse_args()
    if not (DIST / "index.html").is_file() or not LIGHTHOUSE.exists():
        print("build the app first: make web (Node.js 20+)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        database = f"sqlite+aiosqlite:///{migrated_sqlite_template(folder)}"
        with serve(database, folder) as url:
            report = summary(lighthouse(f"{url}/", folder / "lighthouse.json"))
            drawn = sites_drawn_s(f"{url}/", args.runs)
    report["sites_drawn_s"] = statistics.median(drawn)
    report["load_average"] = [round(x, 1) for x in os.getloadavg()]  # others' jobs inflate it
    report["sites_drawn_runs_s"] = drawn
    met = {
        key: (
            report[key] <= limit
            if key in {"first_load_kb_gz", "sites_drawn_s"}
            else report[key] >= limit
        )
        for key, limit in TARGETS.items()
    }
    report["targets"] = TARGETS
    report["target_met"] = met
    for key, limit in TARGETS.items():
        verdict = "ok" if met[key] else "MISSED"
        print(f"{key:>18}: {report[key]:>8}  target {limit:>5}  {verdict}")
    timings = f"{report['fcp_ms']} / {report['lcp_ms']} / {report['tbt_ms']}"
    print(f"{'fcp/lcp/tbt ms':>18}: {timings}")
    print(f"{'main thread ms':>18}: {report['main_thread_ms']}")
    print(f"{'load average':>18}: {report['load_average']}")
    if report["failed_audits"]:
        print(f"{'audits below 1':>18}: {', '.join(report['failed_audits'])}")
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
