"""MemReader's spaCy path scored on WebNLG text, beside a no-model baseline, in one run.

    python bench/extraction.py [PATH] [--limit N] [--show K] [--extractor spacy|llm]

PATH defaults to ``../shared/datasets/webnlg-dev.json`` relative to the repository (the WebNLG
2020 v3.0 English dev split as a JSON list of ``{eid, category, size, texts, triples}``;
elsewhere: build it from ``release_v3.0/en/dev`` of https://gitlab.com/shimorina/webnlg-dataset,
CC BY-NC-SA 4.0 — never copy it into the repository).

The first text of each entry is read by :class:`~memcubedb.extraction.spacy_extractor.SpacyExtractor`
(the pipeline ``ExtractionConfig().spacy_model`` resolves to), one unit per text. A predicted
triple is ``(subject name, predicate, object value or name)``: a literal object (date, number,
quantity) counts by its normalised value (``Triple.object_value``). Two micro-averaged measures
over the whole set (see :mod:`memcubedb.extraction.evaluation`):

* **entity-pair** — relation ignored; pairs normalised and de-duplicated per text; a predicted
  pair matches a gold one when the ``\\w+``-token Jaccard of subjects and of objects are ≥ 0.5;
  one-to-one maximum bipartite matching per text;
* **exact** — normalised triple sets, the property must match too.

Baseline (no model): every ordered pair, in text order, of capitalised spans (runs of
capitalised words allowing ``of``/``de``/``the`` inside) as ``(A, related to, B)``.
A second table gives each rule's written triples and its precision (the share whose entity pair
matches some gold pair of its text, without the one-to-one matching).
Time per text is the extractor's wall time (parse + rules) divided by the number of texts.
``--extractor llm`` scores the LLM path instead (the OpenAI-compatible endpoint of
``MEMCUBEDB_EXTRACTION__LLM__*``): both extractors yield the same types, scored the same way.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table

from memcubedb.extraction.evaluation import Counts, capitalised_pairs, matches_gold, score_text
from memcubedb.extraction.reader import make_extractor
from memcubedb.extraction.spacy_extractor import SpacyExtractor
from memcubedb.extraction.triples import TextUnit, Triple
from memcubedb.settings import Settings

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "webnlg-dev.json"

Spo = tuple[str, str, str]


def as_spo(triple: Triple) -> Spo:
    """The scored form of a predicted triple (a literal object counts by its normalised value)."""
    if triple.object_value is None:
        return (triple.subject.name, triple.predicate, triple.object.name)
    obj = f"{triple.object_value} {triple.unit}" if triple.unit else triple.object_value
    return (triple.subject.name, triple.predicate, obj)


def _row(table: Table, name: str, ours: Counts, base: Counts, texts: int) -> None:
    table.add_row(
        name, str(texts),
        f"{ours.pairs.precision:.3f}", f"{ours.pairs.recall:.3f}", f"{ours.pairs.f1:.3f}",
        f"{base.pairs.precision:.3f}", f"{base.pairs.recall:.3f}", f"{base.pairs.f1:.3f}",
        f"{ours.exact.f1:.3f}", f"{base.exact.f1:.3f}",
    )  # fmt: skip


def _rule_table(entries: list[dict], written: list[list[Triple]]) -> Table:
    """Per rule: written triples and the share whose entity pair matches a gold pair of its text."""
    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for entry, triples in zip(entries, written, strict=True):
        gold = [tuple(t) for t in entry["triples"]]
        for t in triples:
            hits[t.rule][0] += 1
            hits[t.rule][1] += matches_gold(as_spo(t), gold)
    table = Table(title="per rule: written triples, pair precision")
    for col in ("rule", "triples", "precision"):
        table.add_column(col, justify="left" if col == "rule" else "right")
    for rule, (n, ok) in sorted(hits.items(), key=lambda kv: -kv[1][0]):
        table.add_row(rule, str(n), f"{ok / n:.3f}")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT, help="WebNLG JSON file")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N entries")
    parser.add_argument("--show", type=int, default=10, help="print the facts of K sampled texts (seed 17)")
    parser.add_argument("--extractor", choices=["spacy", "llm"], default="spacy", help="which MemReader path")
    args = parser.parse_args(argv)
    console = Console(width=max(Console().width, 140))
    if not args.path.is_file():
        console.print(f"[red]no dataset at {args.path}[/red] (see this file's docstring for where to get it)")
        return 2
    entries = json.loads(args.path.read_text(encoding="utf-8"))[: args.limit]
    config = Settings().extraction.model_copy(update={"extractor": args.extractor})
    extractor = make_extractor(config)
    if isinstance(extractor, SpacyExtractor):
        extractor.nlp("Warm-up sentence for the pipeline.")
    units = [TextUnit(text=e["texts"][0], context_id=str(k), opens_context=True) for k, e in enumerate(entries)]

    started = time.perf_counter()
    floor = config.confidence.floor  # what MemReader would write
    written = [
        [t for t in extraction.triples if t.confidence >= floor]
        for extraction in track(extractor.extract(units), total=len(units), description="extracting", console=console)
    ]
    elapsed = time.perf_counter() - started
    predicted = [[as_spo(t) for t in triples] for triples in written]

    ours: dict[str, Counts] = defaultdict(Counts)
    base: dict[str, Counts] = defaultdict(Counts)
    texts: dict[str, int] = defaultdict(int)
    for entry, unit, pred in zip(entries, units, predicted, strict=True):
        gold = [tuple(t) for t in entry["triples"]]
        for category in (entry["category"], "ALL"):
            ours[category].add(score_text(pred, gold))
            base[category].add(score_text(capitalised_pairs(unit.text), gold))
            texts[category] += 1

    table = Table(title=f"WebNLG entity-pair P/R/F1 and exact-triple F1 — {extractor.version}, {len(units)} texts")
    for col in ("category", "texts", "ours P", "ours R", "ours F1", "base P", "base R", "base F1",
                "ours exact F1", "base exact F1"):  # fmt: skip
        table.add_column(col, justify="left" if col == "category" else "right")
    for category in sorted(c for c in ours if c != "ALL"):
        _row(table, category, ours[category], base[category], texts[category])
    _row(table, "ALL", ours["ALL"], base["ALL"], texts["ALL"])
    console.print(table)
    console.print(_rule_table(entries, written))
    total = ours["ALL"]
    console.print(
        f"ours: {total.predicted} triples predicted, {total.gold} gold; entity-pair P {total.pairs.precision:.3f} "
        f"R {total.pairs.recall:.3f} F1 {total.pairs.f1:.3f}; exact F1 {total.exact.f1:.3f}\n"
        f"baseline (capitalised spans): entity-pair F1 {base['ALL'].pairs.f1:.3f}, "
        f"exact F1 {base['ALL'].exact.f1:.3f}\n"
        f"time per text ({args.extractor}, batch {config.spacy_batch_size}): "
        f"{1000 * elapsed / max(1, len(units)):.2f} ms"
    )
    for k in random.Random(17).sample(range(len(units)), min(args.show, len(units))):
        console.print(f"\n[bold]{units[k].text}[/bold]")
        for spo in predicted[k]:
            console.print(f"  ({spo[0]} | {spo[1]} | {spo[2]})", markup=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
