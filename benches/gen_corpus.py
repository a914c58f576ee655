#!/usr/bin/python3
"""Generate an N× Karlsruhe corpus for the scale bench (issue 6) by
recombining real paragraphs, deterministically.

    /usr/bin/python3 benches/gen_corpus.py --factor 10 --out $CARGO_TARGET_DIR/gen-10x \
        [--source ../shared/realworld/karlsruhe/file-contents] [--seed 6]

Reads every .txt of --source, cuts each into paragraphs (blank-line
separated; a paragraph longer than 40 lines is cut every 40 lines), and
writes `factor` files per source file: `<id>-<k>.txt`, k = 0..factor-1.
File `<id>-0` is the source file itself (so 1× of the generated corpus is
Karlsruhe); every other file has the source file's byte size (±one
paragraph) and is filled with paragraphs drawn at random, from the whole
pool, by `random.Random(seed)` — the same arguments give byte-identical
files. So the vocabulary, paragraph shapes and file-size distribution are
real; the documents' structure (headers, agenda items) is only real in the
`-0` files, and the term statistics grow like a real archive's with more
repeats of the same paragraphs.

Written outside the repository (the target dir): the text is not ours to
republish (see the Karlsruhe README).
"""

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 40


def paragraphs(text):
    out = []
    for block in text.split("\n\n"):
        lines = block.split("\n")
        for i in range(0, len(lines), MAX_LINES):
            chunk = "\n".join(lines[i:i + MAX_LINES]).strip("\n")
            if chunk.strip():
                out.append(chunk)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=ROOT.parent / "shared/realworld/karlsruhe/file-contents")
    ap.add_argument("--factor", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=6)
    args = ap.parse_args()
    if args.factor < 1:
        sys.exit("--factor must be at least 1")
    files = sorted(args.source.glob("*.txt"), key=lambda p: p.name)
    if not files:
        sys.exit(f"{args.source}: no .txt files")
    args.out.mkdir(parents=True, exist_ok=True)
    pool, sizes = [], []
    for p in files:
        text = p.read_text(encoding="utf-8", errors="replace")
        pool += paragraphs(text)
        sizes.append(len(text.encode("utf-8")))
    rng = random.Random(args.seed)
    total = 0
    for p, size in zip(files, sizes):
        for k in range(args.factor):
            dest = args.out / f"{p.stem}-{k}.txt"
            if k == 0:
                data = p.read_bytes()
            else:
                parts, n = [], 0
                while n < size:
                    para = pool[rng.randrange(len(pool))]
                    parts.append(para)
                    n += len(para.encode("utf-8")) + 2
                data = "\n\n".join(parts).encode("utf-8") + b"\n"
            dest.write_bytes(data)
            total += len(data)
    print(f"{args.out}: {len(files) * args.factor} files, {total / 1e6:.1f} MB "
          f"from {len(files)} files, {len(pool)} paragraphs, seed {args.seed}")


if __name__ == "__main__":
    main()
