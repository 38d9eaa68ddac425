"""Benchmark: KV templates (activation memory) and LoRA encoding (parametric memory).

Part 1 — time to first token (TTFT) answering a question about a memory of N template tokens,
(a) baseline: the whole conversation (memory as system message + user turn) prefilled from
text, (b) ours: the memory's KV template from the MemVault, only the user turn prefilled on a
fresh copy of the cache. Both in the same run, same model, same prompt; the ratio is printed
beside the figures, and the greedy continuations and the logits of the two paths are compared.

Part 2 — LoRA encoding of 10 facts: training time, and how many facts the base model and the
adapted model reproduce when probed with subject + predicate.

Usage:  .venv/bin/python bench/kv_templates.py [--lengths 200 1000 2000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm.auto import tqdm

from memcubedb.config.scheduler import DEFAULT_LM, LMConfig, LoRAConfig
from memcubedb.scheduler import kv_templates as kv
from memcubedb.scheduler.lm import LoadedLM, load_lm
from memcubedb.scheduler.lora import encode_facts, probe, probe_model, save_adapter
from memcubedb.scheduler.vault import MemVault

PEOPLE = ["Ines Okafor", "Tomas Brandt", "Yuki Sato", "Amara Diallo", "Lars Eklund", "Priya Nair", "Mateo Ruiz"]
PLACES = ["Lisbon", "Tromsø", "Kyoto", "Dakar", "Valparaíso", "Tallinn", "Hobart"]
TOPICS = ["the grant renewal", "the sensor recall", "the new warehouse", "the audit", "the hiring plan"]

FACTS = [
    ("Zorblat Industries", "is headquartered in", "Quillmere"),
    ("Mira Tanveer", "was born in", "Ostrava"),
    ("The Velkan Bridge", "spans the", "Ardel River"),
    ("Professor Idris Holm", "teaches", "astrophysics"),
    ("Kestrel Labs", "was founded by", "Anya Petrov"),
    ("The Orrin Festival", "takes place in", "October"),
    ("Dr. Lena Voss", "works at", "Halvard Hospital"),
    ("Project Tidewater", "is funded by", "Meridian Trust"),
    ("Captain Rhys Arden", "commands the", "Starling"),
    ("The Saffron Library", "holds", "forty thousand books"),
]
"""Ten fictional facts (names made up so the base model cannot know them)."""

QUESTION = "Who met in Kyoto, and what did they discuss? Answer in one sentence."


def memory_text(lm: LoadedLM, target_tokens: int) -> str:
    """Meeting notes whose rendered system message reaches ``target_tokens`` tokens (± one sentence)."""
    sentences: list[str] = []
    i = 0
    while True:
        a, b = PEOPLE[i % len(PEOPLE)], PEOPLE[(i * 3 + 1) % len(PEOPLE)]
        place, topic = PLACES[(i * 5 + 2) % len(PLACES)], TOPICS[i % len(TOPICS)]
        sentences.append(f"Note {i + 1}: {a} met {b} in {place} on day {i % 28 + 1} to discuss {topic}.")
        text = " ".join(sentences)
        messages = [{"role": kv.MEMORY_ROLE, "content": text}]
        if len(lm.tokenizer(kv.render_messages(lm, messages), add_special_tokens=False)["input_ids"]) >= target_tokens:
            return text
        i += 1


@dataclass(frozen=True)
class Timing:
    """Medians over the timed runs: wall-clock ms and process CPU ms (CPU time is what the work
    itself cost; wall time also holds waiting for a core on a shared machine)."""

    wall_ms: float
    cpu_ms: float


def paired_timings(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, Timing]:
    """Time each function ``repeats`` times, interleaved (order alternating per round) so both
    sides see the same machine load; one warm-up call each first."""
    for fn in fns.values():
        fn()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in fns}
    names = list(fns)
    for round_ in range(repeats):
        for name in names if round_ % 2 == 0 else reversed(names):
            wall, cpu = time.perf_counter(), time.process_time()
            fns[name]()
            samples[name].append(((time.perf_counter() - wall) * 1000.0, (time.process_time() - cpu) * 1000.0))
    return {
        name: Timing(wall_ms=statistics.median(w for w, _ in runs), cpu_ms=statistics.median(c for _, c in runs))
        for name, runs in samples.items()
    }


def bench_kv(
    lm: LoadedLM, vault: MemVault, lengths: list[int], repeats: int, new_tokens: int
) -> list[dict[str, object]]:
    """One row per template length: TTFT both ways, their ratio, equality checks, sizes."""
    rows = []
    for target in tqdm(lengths, desc="KV templates"):
        text = memory_text(lm, target)
        start = time.perf_counter()
        built = kv.build_kv_template(lm, text)
        prefill_ms = (time.perf_counter() - start) * 1000.0
        entry = kv.save_kv_template(vault, lm, built)
        start = time.perf_counter()
        template = kv.load_kv_template(vault, lm, entry.digest)
        load_ms = (time.perf_counter() - start) * 1000.0
        full_ids = kv.full_prompt_ids(lm, [text], QUESTION)
        split_ids = torch.cat([template.token_ids, kv.prompt_ids(lm, template, QUESTION)])
        timings = paired_timings(
            {
                "baseline": lambda ids=full_ids: kv.generate(lm, ids, 1),
                "ours": lambda ids=split_ids, t=template: kv.generate(lm, ids, 1, template=t),
            },
            repeats,
        )
        base, ours = timings["baseline"], timings["ours"]
        reference = kv.generate(lm, full_ids, new_tokens)
        answer = kv.generate_with_template(lm, template, QUESTION, new_tokens)
        diff = (kv.logits_with_template(lm, template, QUESTION) - kv.logits_full_prefill(lm, template, QUESTION)).abs()
        rows.append(
            {
                "tokens": template.token_count,
                "baseline_ms": base.wall_ms,
                "ours_ms": ours.wall_ms,
                "cut_pct": 100.0 * (1.0 - ours.wall_ms / base.wall_ms),
                "baseline_cpu_ms": base.cpu_ms,
                "ours_cpu_ms": ours.cpu_ms,
                "cpu_cut_pct": 100.0 * (1.0 - ours.cpu_ms / base.cpu_ms),
                "same_ids": torch.equal(full_ids, split_ids),
                "same_greedy": reference.new_token_ids == answer.new_token_ids,
                "max_logit_diff": float(diff.max()),
                "template_mb": entry.size_bytes / 1e6,
                "promote_ms": prefill_ms,
                "load_ms": load_ms,
                "answer": answer.text,
            }
        )
    return rows


def bench_lora(lm: LoadedLM, vault: MemVault) -> dict[str, object]:
    """Encode :data:`FACTS` into an adapter; probe before and after."""
    base = probe_model(lm, FACTS)
    cpu = time.process_time()
    encoding = encode_facts(lm, FACTS, LoRAConfig())
    cpu_s = time.process_time() - cpu
    entry = save_adapter(vault, encoding.adapter)
    adapted = probe(lm, encoding.adapter)
    return {
        "train_s": encoding.training_ms / 1000.0,
        "train_cpu_s": cpu_s,
        "epochs": encoding.epochs_run,
        "final_loss": encoding.losses[-1],
        "base_recovered": base.recovered,
        "adapted_recovered": adapted.recovered,
        "adapter_mb": entry.size_bytes / 1e6,
        "misses": [(r.fact, r.decoded) for r in adapted.results if not r.recovered],
    }


COLUMNS = [
    ("tokens", "tokens", "{:>6}"),
    ("baseline_ms", "wall ms baseline", "{:>8.1f}"),
    ("ours_ms", "wall ms template", "{:>8.1f}"),
    ("cut_pct", "wall cut %", "{:>6.1f}"),
    ("baseline_cpu_ms", "CPU ms baseline", "{:>8.1f}"),
    ("ours_cpu_ms", "CPU ms template", "{:>8.1f}"),
    ("cpu_cut_pct", "CPU cut %", "{:>6.1f}"),
    ("same_ids", "same ids", "{!s:>5}"),
    ("same_greedy", "same greedy", "{!s:>6}"),
    ("max_logit_diff", "max |Δlogit|", "{:>8.1e}"),
    ("template_mb", "MB", "{:>5.1f}"),
    ("promote_ms", "promote ms", "{:>7.0f}"),
    ("load_ms", "vault load ms", "{:>6.0f}"),
]


def print_kv_table(rows: list[dict[str, object]], repeats: int) -> None:
    """One line per template length; the column legend is printed above the table."""
    print(f"\nTTFT = prefill + first greedy token, median of {repeats} interleaved runs.")
    print("baseline: the conversation prefilled from text; template: KV template, only the user turn prefilled.")
    print("columns: " + ", ".join(title for _, title, _ in COLUMNS))
    for row in rows:
        print("  ".join(fmt.format(row[key]) for key, _, fmt in COLUMNS))
    print(f"answer at {rows[-1]['tokens']} tokens: {rows[-1]['answer']!r}")


def print_lora(res: dict[str, object]) -> None:
    """The LoRA encoding figures and any fact the adapted model missed."""
    n = len(FACTS)
    print(
        f"\nLoRA, {n} facts: trained in {res['train_s']:.1f} s wall / {res['train_cpu_s']:.1f} s CPU "
        f"({res['epochs']} epochs, final loss {res['final_loss']:.3f}); recovered by probe: "
        f"base model {res['base_recovered']}/{n}, adapted {res['adapted_recovered']}/{n}; "
        f"adapter {res['adapter_mb']:.1f} MB"
    )
    for fact, decoded in res["misses"]:  # type: ignore[attr-defined]
        print(f"  missed {fact}: model said {decoded!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lm", default=DEFAULT_LM, help="registry name, HF id or path of the causal LM")
    parser.add_argument("--lengths", type=int, nargs="+", default=[200, 1000, 2000], help="template tokens")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per figure (median reported)")
    parser.add_argument("--new-tokens", type=int, default=24, help="greedy tokens compared between the paths")
    parser.add_argument("--vault", type=Path, default=None, help="vault directory (default: a temporary one)")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch CPU threads (1 gives stable timings on a shared machine)"
    )
    parser.add_argument("--parts", nargs="+", choices=["kv", "lora"], default=["kv", "lora"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    with tempfile.TemporaryDirectory() as tmp:
        vault = MemVault(args.vault or tmp)
        start = time.perf_counter()
        lm = load_lm(LMConfig(name_or_path=args.lm))
        print(
            f"model {lm.identity.model_name} ({lm.identity.revision[:24]}…, {lm.identity.num_layers} layers, "
            f"{lm.identity.dtype}) loaded in {time.perf_counter() - start:.1f} s on {lm.device}, "
            f"torch threads {torch.get_num_threads()}"
        )
        if "kv" in args.parts:
            print_kv_table(bench_kv(lm, vault, args.lengths, args.repeats, args.new_tokens), args.repeats)
        if "lora" in args.parts:
            print_lora(bench_lora(lm, vault))


if __name__ == "__main__":
    main()
