"""Benchmark: memory-augmented chat over HTTP (``POST /v1/chat/completions``), SmolLM2-135M on CPU.

Part 1 — time to first token (TTFT) and total latency of one answer with a memory context of
about 500, 1,000 and 2,000 tokens, through the API on loopback (``memcubedb serve`` in its own
process, streaming, TTFT = first content chunk seen by the client):
(a) baseline — the memory stuffed into the request as a system message (what peers do), no
stored memory used; (b) ours — the same memory as the caller's KV template (activation memory),
the request carrying only the question. Same server, same prompt tokens, interleaved runs,
medians; the greedy answers of (a) and (b) must be identical (asserted). The first (b) request
also loads the template from the MemVault (the server's model is warmed first): reported as "cold".

Part 2 — memory QA on 30 synthetic facts (made-up names the model cannot know): the answer is
correct when it contains the gold object. Four principals, side by side: no memory; plaintext
memory (one cube per fact, added through the API, found by hybrid search); KV-template memory
(one template per fact, chained into the prefix); adapter-only memory (a LoRA adapter trained on
the 30 triples by the scheduler's encoder, no text anywhere).

Part 1 also reports max |Δlogit| (float32) of the stored template against prefilling the same
tokens, computed in the benchmark process.

Usage:  .venv/bin/python bench/chat.py [--lengths 500 1000 2000] [--repeats 5] [--qa 30]  (--qa 0: part 1 only)
(uses the Neo4j of the environment's settings; starts the embedded one if needed; fresh principals).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from tqdm.auto import tqdm

if __package__ in (None, ""):  # run as a file: make `bench` and `tests.support` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.kv_templates import QUESTION, memory_text
from memcubedb.chat.generation import prefill
from memcubedb.chat.local import prompt_ids
from memcubedb.cube import Descriptive, Governance, LoRAAdapterPayload, MemCube, MemoryType
from memcubedb.graph.apikeys import ApiKeys
from memcubedb.graph.embedded import server
from memcubedb.graph.permissions import Role
from memcubedb.graph.records import ActivityRecord, AgentRecord, CubeWrite, stable_id
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.kv_templates import load_kv_template
from memcubedb.scheduler.lm import LoadedLM, load_lm
from memcubedb.scheduler.lora import encode_facts, save_adapter
from memcubedb.scheduler.memscheduler import MemScheduler
from memcubedb.scheduler.vault import MemVault
from memcubedb.settings import Settings
from tests.support.load import api_process

AGENT = AgentRecord(id="agent:bench-chat", kind="software", name="bench/chat.py")

QA: list[tuple[str, str, str, str]] = [
    ("Zorblat Industries", "is headquartered in", "Quillmere", "Where is Zorblat Industries headquartered?"),
    ("Mira Tanveer", "was born in", "Ostrava", "Where was Mira Tanveer born?"),
    ("The Velkan Bridge", "spans the", "Ardel River", "Which river does the Velkan Bridge span?"),
    ("Professor Idris Holm", "teaches", "astrophysics", "What does Professor Idris Holm teach?"),
    ("Kestrel Labs", "was founded by", "Anya Petrov", "Who founded Kestrel Labs?"),
    ("The Orrin Festival", "takes place in", "October", "When does the Orrin Festival take place?"),
    ("Dr. Lena Voss", "works at", "Halvard Hospital", "Where does Dr. Lena Voss work?"),
    ("Project Tidewater", "is funded by", "Meridian Trust", "Who funds Project Tidewater?"),
    ("Captain Rhys Arden", "commands the", "Starling", "Which ship does Captain Rhys Arden command?"),
    ("The Saffron Library", "holds", "forty thousand books", "How many books does the Saffron Library hold?"),
    ("Tobias Wrenfield", "plays the", "cello", "Which instrument does Tobias Wrenfield play?"),
    ("Lumen Dynamics", "manufactures", "solar kites", "What does Lumen Dynamics manufacture?"),
    ("Elsa Marrowby", "lives in", "Brackenford", "Where does Elsa Marrowby live?"),
    ("The Korrin Cup", "was won by", "the Vale Hawks", "Who won the Korrin Cup?"),
    ("Nadia Fairholm", "is married to", "Oskar Lindqvist", "Who is Nadia Fairholm married to?"),
    ("The Ember Cafe", "is famous for", "cardamom buns", "What is the Ember Cafe famous for?"),
    ("Quentin Obasi", "drives a", "green tram", "What does Quentin Obasi drive?"),
    ("Halcyon Tower", "was designed by", "Rosa Ferreira", "Who designed Halcyon Tower?"),
    ("The Drummond Prize", "was awarded to", "Ilya Marek", "Who was awarded the Drummond Prize?"),
    ("Petra Sandoval", "speaks", "Basque", "Which language does Petra Sandoval speak?"),
    ("Brightwater School", "is located in", "Cinderholt", "Where is Brightwater School located?"),
    ("Felix Armitage", "collects", "antique compasses", "What does Felix Armitage collect?"),
    ("The Gannet Line", "ends at", "Port Elver", "Where does the Gannet Line end?"),
    ("Sora Kimura", "trains", "falcons", "What does Sora Kimura train?"),
    ("Vexford Council", "is led by", "Mayor Ada Quill", "Who leads Vexford Council?"),
    ("The Lantern Archive", "stores", "whaling logs", "What does the Lantern Archive store?"),
    ("Oren Castellan", "grows", "black tulips", "What does Oren Castellan grow?"),
    ("Marlowe Foods", "was acquired by", "Tessaro Group", "Who acquired Marlowe Foods?"),
    ("Greta Holloway", "swims in", "Lake Merrin", "Where does Greta Holloway swim?"),
    ("The Tamsin Observatory", "overlooks", "Crow Valley", "What does the Tamsin Observatory overlook?"),
]
"""Thirty fictional facts (subject, predicate, object, question); names made up so SmolLM2 cannot know them."""


def write_cube(store: GraphStore, principal: str, text: str) -> str:
    """A plaintext cube owned by ``principal`` written directly (no extraction); its id."""
    cube = MemCube.plaintext(text, owner=principal, id=stable_id("bench-chat", principal, text))
    activity = ActivityRecord(kind="import", name="bench/chat.py")
    store.write_cubes([CubeWrite(cube=cube, activity=activity, agent=AGENT)])
    return cube.id


def write_adapter(store: GraphStore, vault: MemVault, lm: LoadedLM, principal: str, settings: Settings) -> float:
    """Train the scheduler's LoRA encoding on the 30 triples, store it as ``principal``'s adapter;
    training time in s."""
    encoding = encode_facts(lm, [(s, p, o) for s, p, o, _ in QA], settings.scheduler.lora)
    entry = save_adapter(vault, encoding.adapter)
    cube = MemCube(
        descriptive=Descriptive(id=stable_id("parametric", principal, entry.digest), memory_type=MemoryType.PARAMETRIC,
                                semantic_type="lora_adapter"),
        governance=Governance(owner=principal),
        payload=LoRAAdapterPayload(base_model=lm.identity.model_name, rank=encoding.adapter.rank, sha256=entry.digest),
    )  # fmt: skip
    store.write_cubes([CubeWrite(cube=cube, activity=ActivityRecord(kind="encoding", name="bench"), agent=AGENT)])
    return encoding.training_ms / 1000.0


def stream_chat(http: httpx.Client, key: str, body: dict[str, Any]) -> tuple[str, float, float, dict[str, Any]]:
    """One streamed chat: (answer, TTFT ms to the first content chunk, total ms, memcubedb report)."""
    start = time.perf_counter()
    first = None
    pieces: list[str] = []
    report: dict[str, Any] = {}
    with http.stream("POST", "/v1/chat/completions", json={**body, "stream": True},
                     headers={"Authorization": f"Bearer {key}"}) as response:  # fmt: skip
        if response.status_code != 200:
            response.read()
            raise RuntimeError(f"{response.status_code}: {response.text[:500]}")
        for line in response.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            for choice in chunk["choices"]:
                if choice["delta"].get("content"):
                    first = first or time.perf_counter()
                    pieces.append(choice["delta"]["content"])
            report = chunk.get("memcubedb") or report
    end = time.perf_counter()
    return "".join(pieces), ((first or end) - start) * 1000.0, (end - start) * 1000.0, report


def logit_delta(lm: LoadedLM, vault: MemVault, digest: str) -> float:
    """max |Δlogit| (float32) at the question's last position: stored template + question prefilled
    on it, against the same token ids prefilled from scratch (in this process, no HTTP)."""
    template = load_kv_template(vault, lm, digest)
    ids, _ = prompt_ids(lm, template, [{"role": "user", "content": QUESTION}])
    return float((prefill(lm, ids, template)[0] - prefill(lm, ids, None)[0]).abs().max())


def part1(http: httpx.Client, store: GraphStore, scheduler: MemScheduler, keys: dict[str, str], lm: LoadedLM,
          lengths: list[int], repeats: int, tokens: int) -> list[dict[str, Any]]:  # fmt: skip
    """TTFT rows, one per memory length."""
    rows = []
    for target in tqdm(lengths, desc="TTFT over HTTP"):
        text = memory_text(lm, target)
        kv_principal = f"bench-kv-{target}-{uuid.uuid4().hex[:6]}"
        key = ApiKeys(store).create(kv_principal, Role.READER, name="bench")[0]
        template_id = scheduler.promote(kv_principal, write_cube(store, kv_principal, text), 0.9)
        delta = logit_delta(lm, scheduler.vault, store.get_cube(kv_principal, template_id).payload.sha256)
        question = [{"role": "user", "content": QUESTION}]
        stuffed = {"messages": [{"role": "system", "content": text}, *question], "max_tokens": tokens,
                   "memcubedb": {"memory_types": []}}  # fmt: skip
        templated = {"messages": question, "max_tokens": tokens, "memcubedb": {"memory_types": ["activation"]}}
        cold = stream_chat(http, key, templated)
        base_warm = stream_chat(http, keys["none"], stuffed)
        samples: dict[str, list[tuple[float, float]]] = {"a": [], "b": []}
        answers = {"a": base_warm[0], "b": cold[0]}
        for round_ in range(repeats):
            order = [("a", keys["none"], stuffed), ("b", key, templated)]
            for name, k, body in order if round_ % 2 == 0 else reversed(order):
                answer, ttft, total, report = stream_chat(http, k, body)
                samples[name].append((ttft, total))
                if answer != answers[name]:
                    raise AssertionError(f"{name}: greedy answer changed between runs")
                if name == "b":
                    reported = report
        if answers["a"] != answers["b"]:
            raise AssertionError(f"text vs KV prefix answers differ at {target}: {answers['a']!r} / {answers['b']!r}")
        med = {n: (statistics.median(t for t, _ in s), statistics.median(x for _, x in s)) for n, s in samples.items()}
        rows.append({"target": target, "prompt_tokens": reported["cached_tokens"] + reported["prefill_tokens"],
                     "cached": reported["cached_tokens"], "a_ttft": med["a"][0], "b_ttft": med["b"][0],
                     "a_total": med["a"][1], "b_total": med["b"][1], "cold_ttft": cold[1],
                     "answer": answers["b"], "delta": delta})  # fmt: skip
    return rows


def part2(http: httpx.Client, keys: dict[str, str], limit: int, tokens: int) -> dict[str, list[bool]]:
    """QA correctness per condition (one bool per fact)."""
    conditions = {"none": [], "plaintext": ["plaintext"], "kv_template": ["activation"], "adapter": ["parametric"]}
    results: dict[str, list[bool]] = {name: [] for name in conditions}
    examples: dict[str, str] = {}
    for *_, o, question in tqdm(QA[:limit], desc="memory QA"):
        for name, types in conditions.items():
            body = {"messages": [{"role": "user", "content": question}], "max_tokens": tokens,
                    "memcubedb": {"memory_types": types}}  # fmt: skip
            answer = stream_chat(http, keys[name], body)[0]
            results[name].append(o.lower() in answer.lower())
            examples.setdefault(name, f"{question} → {answer.strip()[:90]!r} (gold {o!r})")
    for name, example in examples.items():
        print(f"  e.g. {name:<12} {example}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lengths", type=int, nargs="+", default=[500, 1000, 2000], help="memory tokens")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=16, help="answer tokens in part 1")
    parser.add_argument("--qa", type=int, default=30, help="facts asked in part 2 (at most 30)")
    args = parser.parse_args()

    settings = Settings()
    with server.running(settings):
        store = GraphStore.connect(settings)
        lm = load_lm(settings.scheduler.lm)
        vault = MemVault(settings.vault_dir)
        scheduler = MemScheduler(store, vault, settings.scheduler, lambda: lm)
        run = uuid.uuid4().hex[:6]
        keys = {name: ApiKeys(store).create(f"bench-qa-{name}-{run}", Role.WRITER, name="bench")[0]
                for name in ("none", "plaintext", "kv_template", "adapter")}  # fmt: skip
        for s, p, o, _ in QA[: args.qa]:
            scheduler.promote(f"bench-qa-kv_template-{run}", write_cube(store, f"bench-qa-kv_template-{run}",
                                                                        f"{s} {p} {o}."), 0.9)  # fmt: skip
        training_s = write_adapter(store, vault, lm, f"bench-qa-adapter-{run}", settings) if args.qa else 0.0
        with api_process(settings) as base, httpx.Client(base_url=base, timeout=600) as http:
            for s, p, o, _ in QA[: args.qa]:
                http.post("/v1/cubes", json={"text": f"{s} {p} {o}.", "uri": f"bench-chat://{run}/{s}"},
                          headers={"Authorization": f"Bearer {keys['plaintext']}"}).raise_for_status()  # fmt: skip
            warm = {"messages": [{"role": "user", "content": "Hello"}], "max_tokens": 1,
                    "memcubedb": {"memory_types": []}}  # fmt: skip
            stream_chat(http, keys["none"], warm)  # the server loads its model on the first chat
            rows = part1(http, store, scheduler, keys, lm, args.lengths, args.repeats, args.tokens)
            qa = part2(http, keys, args.qa, 24) if args.qa else {}
        store.close()

    print(f"\nChat over HTTP on 127.0.0.1, {settings.scheduler.lm.name_or_path} ({settings.scheduler.lm.dtype}, "
          f"{settings.scheduler.lm.device}), {args.tokens} greedy answer tokens, medians of {args.repeats} runs")
    print(f"{'memory':>7} {'prompt':>7} {'cached':>7} | {'TTFT (a) text':>13} {'TTFT (b) KV':>12} {'cut':>6} "
          f"{'cold (b)':>9} | {'total (a)':>10} {'total (b)':>10} | same answer | max |Δlogit|")
    for r in rows:
        cut = 1 - r["b_ttft"] / r["a_ttft"]
        print(f"{r['target']:>7} {r['prompt_tokens']:>7} {r['cached']:>7} | {r['a_ttft']:>10.0f} ms "
              f"{r['b_ttft']:>9.0f} ms {cut:>6.1%} {r['cold_ttft']:>6.0f} ms | {r['a_total']:>7.0f} ms "
              f"{r['b_total']:>7.0f} ms | yes         | {r['delta']:.1e}")
    if not qa:
        return
    print(f"\nMemory QA, {args.qa} synthetic facts (answer contains the gold object), 24 greedy tokens; "
          f"adapter trained in {training_s:.0f} s")
    for name, hits in qa.items():
        print(f"  {name:<12} {sum(hits):>3}/{len(hits)}  ({sum(hits) / len(hits):.0%})")


if __name__ == "__main__":
    main()
