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
from pathlib import Path

import torch
from tqdm.auto import tqdm

from memcubedb.scheduler import kv_templates as kv
from memcubedb.scheduler.config import DEFAULT_LM, LMConfig, LoRAConfig
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


def timed_ms(fn: object, repeats: int) -> float:
    """Median wall time of ``fn()`` over ``repeats`` runs after one warm-up, in ms."""
    fn()  # type: ignore[operator]
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(samples)


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
        baseline_ms = timed_ms(lambda ids=full_ids: kv.generate(lm, ids, 1), repeats)
        ours_ms = timed_ms(lambda ids=split_ids, t=template: kv.generate(lm, ids, 1, template=t), repeats)
        reference = kv.generate(lm, full_ids, new_tokens)
        answer = kv.generate_with_template(lm, template, QUESTION, new_tokens)
        diff = (kv.logits_with_template(lm, template, QUESTION) - kv.logits_full_prefill(lm, template, QUESTION)).abs()
        rows.append(
            {
                "tokens": template.token_count,
                "baseline_ms": baseline_ms,
                "ours_ms": ours_ms,
                "cut_pct": 100.0 * (1.0 - ours_ms / baseline_ms),
                "speedup": baseline_ms / ours_ms,
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
    encoding = encode_facts(lm, FACTS, LoRAConfig())
    entry = save_adapter(vault, encoding.adapter)
    adapted = probe(lm, encoding.adapter)
    return {
        "train_s": encoding.training_ms / 1000.0,
        "epochs": encoding.epochs_run,
        "final_loss": encoding.losses[-1],
        "base_recovered": base.recovered,
        "adapted_recovered": adapted.recovered,
        "adapter_mb": entry.size_bytes / 1e6,
        "misses": [(r.fact, r.decoded) for r in adapted.results if not r.recovered],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lm", default=DEFAULT_LM, help="registry name, HF id or path of the causal LM")
    parser.add_argument("--lengths", type=int, nargs="+", default=[200, 1000, 2000], help="template tokens")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per figure (median reported)")
    parser.add_argument("--new-tokens", type=int, default=24, help="greedy tokens compared between the paths")
    parser.add_argument("--vault", type=Path, default=None, help="vault directory (default: a temporary one)")
    parser.add_argument("--parts", nargs="+", choices=["kv", "lora"], default=["kv", "lora"])
    args = parser.parse_args()

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
            rows = bench_kv(lm, vault, args.lengths, args.repeats, args.new_tokens)
            print("\nTTFT, median of", args.repeats, "runs (baseline: full prefill from text; ours: KV template)")
            header = (
                f"{'tokens':>6} {'baseline ms':>11} {'template ms':>11} {'cut %':>6} {'speedup':>7} "
                f"{'same ids':>8} {'same greedy':>11} {'max|Δlogit|':>11} {'MB':>6} {'promote ms':>10} "
                f"{'vault load ms':>13}"
            )
            print(header)
            for r in rows:
                print(
                    f"{r['tokens']:>6} {r['baseline_ms']:>11.1f} {r['ours_ms']:>11.1f} {r['cut_pct']:>6.1f} "
                    f"{r['speedup']:>6.1f}x {r['same_ids']!s:>8} {r['same_greedy']!s:>11} "
                    f"{r['max_logit_diff']:>11.2e} {r['template_mb']:>6.1f} {r['promote_ms']:>10.1f} "
                    f"{r['load_ms']:>13.1f}"
                )
            print(f"answer at {rows[-1]['tokens']} tokens: {rows[-1]['answer']!r}")
        if "lora" in args.parts:
            res = bench_lora(lm, vault)
            print(
                f"\nLoRA, {len(FACTS)} facts: trained in {res['train_s']:.1f} s ({res['epochs']} epochs, "
                f"final loss {res['final_loss']:.3f}); recovered by probe: base model "
                f"{res['base_recovered']}/{len(FACTS)}, adapted {res['adapted_recovered']}/{len(FACTS)}; "
                f"adapter {res['adapter_mb']:.1f} MB"
            )
            for fact, decoded in res["misses"]:  # type: ignore[attr-defined]
                print(f"  missed {fact}: model said {decoded!r}")


if __name__ == "__main__":
    main()
