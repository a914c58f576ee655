#!/usr/bin/python3
"""Extraction speed of `ratsuche extract` against `pdftotext` on every
non-scan PDF of corpus/ and ../shared/realworld/pdf/, in the same run
(issue 6). Both sides are timed as one process per file (start-up included
on both sides, as a shell-out indexer pays it), each file twice in
alternation, the faster of the two counting.

    CARGO_TARGET_DIR=... nice -n 10 /usr/bin/python3 benches/extract_speed.py

A PDF is a scan (left out) when pdftotext finds fewer than 200 non-space
characters per page. Pages are pdfinfo's count. Prints per-folder pages/s
for both and the ratio ours/pdftotext.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = [ROOT / "corpus", ROOT.parent / "shared" / "realworld" / "pdf"]
MIN_CHARS_PER_PAGE = 200


def run(cmd):
    start = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True)
    return time.perf_counter() - start, p


def main():
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    ratsuche = target / "release" / "ratsuche"
    if not ratsuche.exists():
        sys.exit(f"{ratsuche} missing: cargo build --release first")
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, load average {os.getloadavg()[0]:.1f}")
    print("| folder | PDFs (scans left out) | pages | ratsuche pages/s | pdftotext pages/s | ratio | failed (ours) |")
    print("|---|---|---|---|---|---|---|")
    for folder in FOLDERS:
        if not folder.exists():
            print(f"| {folder} | missing | | | | | |")
            continue
        pdfs = sorted(folder.glob("*.pdf"))
        pages = ours = theirs = 0.0
        used = scans = failed = 0
        for pdf in pdfs:
            info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
            m = re.search(r"^Pages:\s+(\d+)", info, re.M)
            n = int(m.group(1)) if m else 0
            t_theirs, p = run(["pdftotext", pdf, "-"])
            chars = len(re.sub(rb"\s", b"", p.stdout))
            if n == 0 or chars < MIN_CHARS_PER_PAGE * n:
                scans += 1
                continue
            t_ours, q = run([ratsuche, "extract", pdf])
            if q.returncode != 0:
                failed += 1
                continue
            t_ours = min(t_ours, run([ratsuche, "extract", pdf])[0])
            t_theirs = min(t_theirs, run(["pdftotext", pdf, "-"])[0])
            used += 1
            pages += n
            ours += t_ours
            theirs += t_theirs
        if used:
            print(f"| {folder.relative_to(ROOT.parent) if folder.is_relative_to(ROOT.parent) else folder} "
                  f"| {used} ({scans}) | {pages:.0f} | {pages / ours:.0f} | {pages / theirs:.0f} "
                  f"| {theirs / ours:.2f} | {failed} |")


if __name__ == "__main__":
    main()
