"""Lines per second for the log sanitiser, on plain, coloured, tqdm and hostile lines.

Run: .venv/bin/python benchmarks/bench_terminal_text.py   (takes a few seconds)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

# Runnable from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jobtui.ui.terminal_text import clean_log_line, clean_text, log_line_to_text  # noqa: E402

PLAIN = [
    "2024-05-01 12:00:00 INFO train.py:123 step 1200/5000 loss=0.2345 lr=3e-4",
    "Epoch 3: validation accuracy 0.9123",
    "Downloading shards: model-00002-of-00004.safetensors",
    "日本語のログ行 🤗 done",
]
COLOURED = [
    "\x1b[32mINFO\x1b[0m     \x1b[2m12:00:01\x1b[0m starting worker 3",
    "\x1b[1;31mERROR\x1b[0m CUDA out of memory. Tried to allocate 2.00 GiB",
    "\x1b[38;2;255;128;0mwarn\x1b[0m\tslow step",
]
TQDM = [
    "\r 10%|█         | 10/100 [00:01<00:09, 9.9it/s]"
    "\r 50%|█████     | 50/100 [00:05<00:05, 9.9it/s]"
    "\r100%|██████████| 100/100 [00:10<00:00, 9.9it/s]",
    "Loading checkpoint shards:  50%|\x1b[32m█████\x1b[0m| 1/2\rLoading checkpoint shards: 100%|\r",
]
HOSTILE = [
    "before\x1b]52;c;ZXZpbCBwYXlsb2Fk\x07after",
    "before\x1b]0;pwned title\x1b\\after",
    "x\x1bc\x1b[2J\x1b[10;10Hy\x9b2J\x9d0;t\x07z\u202eevil\x00\x08",
]
MIX = PLAIN * 6 + COLOURED * 2 + TQDM + HOSTILE  # mostly plain, as real logs are


def bench(name: str, func: Callable[[str], object], lines: list[str], seconds: float) -> None:
    # Bounded: at most `seconds` of work, checked every pass over the sample.
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for _ in range(200):
            for line in lines:
                func(line)
        count += 200 * len(lines)
    elapsed = time.perf_counter() - start
    print(f"{name:<32} {count / elapsed:>12,.0f} lines/s")


def main() -> None:
    samples = {"plain": PLAIN, "coloured": COLOURED, "tqdm": TQDM, "hostile": HOSTILE, "mix": MIX}
    for sample, lines in samples.items():
        bench(f"clean_log_line[{sample}]", clean_log_line, lines, 0.3)
    for sample, lines in samples.items():
        bench(f"log_line_to_text[{sample}]", log_line_to_text, lines, 0.3)
    bench("clean_text[plain]", clean_text, PLAIN, 0.3)
    bench("clean_text[hostile]", clean_text, HOSTILE, 0.3)


if __name__ == "__main__":
    main()
