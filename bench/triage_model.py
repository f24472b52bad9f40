"""Section 5: the safeguarding model's cost in triage (issue 16's budget), in a process of its own.

Loads the model once, as a triage process does, and scores corpus contacts in consumer-sized
batches: memory the model adds (target <= 300 MB) and CPU per contact (target <= 10 ms).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

BATCH = 50
CONTACTS = 5000


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(x for x in status if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def measure() -> dict:
    """Run in this process: RSS before and after loading, CPU per contact over batches."""
    from triage_training.corpus import load_all

    from triage.semantic.model import SafeguardingModel

    texts = [i.text for i in load_all()]
    before = _rss_mb()
    started = time.process_time()
    model = SafeguardingModel()
    model.assess(texts[:1])  # loads the arrays and the tokenizer
    load_cpu = time.process_time() - started
    loaded = _rss_mb()
    started = time.process_time()
    scored = 0
    while scored < CONTACTS:
        start = scored % len(texts)
        model.assess(texts[start:start + BATCH])
        scored += len(texts[start:start + BATCH])
    cpu = time.process_time() - started
    return {"contacts": scored, "batch": BATCH, "cpu_ms_per_contact": cpu / scored * 1000,
            "load_cpu_s": load_cpu, "rss_before_mb": before, "rss_loaded_mb": loaded,
            "rss_after_mb": _rss_mb(), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def triage_model() -> dict:
    """Measure in a fresh interpreter, so the figures are the model's alone."""
    out = subprocess.run([sys.executable, "-m", "bench.triage_model"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def lines(m: dict) -> list[str]:
    added = m["rss_after_mb"] - m["rss_before_mb"]
    return [
        "",
        f"5. triage's safeguarding model, {m['contacts']} contacts in batches of {m['batch']}",
        f"   CPU per contact {m['cpu_ms_per_contact']:.2f} ms (target <= 10); loaded once in "
        f"{m['load_cpu_s']:.2f} s CPU",
        f"   memory added {added:.0f} MB (RSS {m['rss_before_mb']:.0f} -> {m['rss_after_mb']:.0f} MB; "
        f"peak {m['peak_rss_mb']:.0f} MB) (target <= 300)",
    ]


if __name__ == "__main__":
    print(json.dumps(measure()))
