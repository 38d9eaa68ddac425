"""Time expressions: found with a spaCy ``Matcher`` (and DATE/TIME entities where the pipeline
has them), normalised with dateparser against the unit's timestamp (``RELATIVE_BASE``).

A normalised expression carries the period it denotes (year, month, week, day, time) so
"March 2024" becomes ``2024-03`` and "yesterday" said on 8 May 2023 becomes ``2023-05-07``.
Relative expressions in a unit without a timestamp are found but left unnormalised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from dateparser.date import DateDataParser
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans
from spacy.vocab import Vocab

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep",
          "Sept", "Oct", "Nov", "Dec", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.",
          "Oct.", "Nov.", "Dec."]  # fmt: skip
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
UNITS = ["day", "days", "week", "weeks", "month", "months", "year", "years", "weekend", "weekends"]
DEICTIC = ["yesterday", "today", "tomorrow", "tonight"]
SHIFTERS = ["last", "next", "this", "past", "coming", "previous"]
PERIODS = [*UNITS, *WEEKDAYS, "morning", "afternoon", "evening", "night", "summer", "winter", "spring",
           "fall", "autumn"]  # fmt: skip
QUANTS = ["a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "few",
          "couple", "several"]  # fmt: skip
YEAR = {"SHAPE": "dddd"}  # range-checked in TimeTagger.find (a REGEX predicate runs on every token)
#: a day of the month, plain or ordinal ("9", "28th")
DAY = {"SHAPE": {"IN": ["d", "dd", "dxx", "ddxx"]}}

_PATTERNS: dict[str, list[list[dict[str, object]]]] = {
    "deictic": [[{"LOWER": {"IN": DEICTIC}}]],
    "shifted": [[{"LOWER": {"IN": SHIFTERS}}, {"LOWER": {"IN": PERIODS}}]],
    "ago": [
        [{"LOWER": {"IN": QUANTS}, "OP": "+"}, {"LOWER": "of", "OP": "?"}, {"LOWER": {"IN": UNITS}}, {"LOWER": "ago"}],
        [{"LIKE_NUM": True}, {"LOWER": {"IN": UNITS}}, {"LOWER": "ago"}],
    ],
    "month": [
        [{"ORTH": {"IN": MONTHS}}, {**DAY, "OP": "?"}],
        [{"ORTH": {"IN": MONTHS}}, {**DAY, "OP": "?"}, {"ORTH": ",", "OP": "?"}, YEAR],
        [DAY, {"LOWER": "of", "OP": "?"}, {"ORTH": {"IN": MONTHS}}],
        [DAY, {"LOWER": "of", "OP": "?"}, {"ORTH": {"IN": MONTHS}}, {"ORTH": ",", "OP": "?"}, YEAR],
    ],
    "weekday": [[{"LOWER": {"IN": WEEKDAYS}}]],
    "year": [[YEAR]],
    "iso": [[{"SHAPE": "dddd-dd-dd"}], [YEAR, {"ORTH": "-"}, {"SHAPE": "dd"}, {"ORTH": "-"}, {"SHAPE": "dd"}]],
    "numeric": [[{"SHAPE": {"IN": ["dd/dd/dddd", "d/dd/dddd", "dd/d/dddd", "d/d/dddd"]}}]],  # "07/23/1927" (M/D/Y)
}

#: dateparser's period names → our precision labels (also the ISO-ish format of the value).
_PRECISION = {"year": "year", "month": "month", "week": "week", "day": "day", "time": "time",
              "part_of_day": "day"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """A time expression in a Doc.

    Attributes:
        span: the tokens of the expression.
        value: start of the period it denotes, timezone-aware (UTC when the base was naive),
            or ``None`` when it could not be normalised.
        precision: ``year``, ``month``, ``week``, ``day`` or ``time`` (``None`` when unnormalised).
        label: the normalised form (``2024``, ``2024-03``, ``2023-W18``, ``2023-05-07``,
            ``2023-05-08T13:56``) or the expression's own text when unnormalised.
    """

    span: Span
    value: datetime | None
    precision: str | None
    label: str


def as_utc(moment: datetime) -> datetime:
    """A timezone-aware datetime: naive values are taken to be UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _period_start(moment: datetime, precision: str) -> datetime:
    if precision == "year":
        return moment.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if precision == "month":
        return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if precision == "week":
        monday = moment - timedelta(days=moment.weekday())
        return monday.replace(hour=0, minute=0, second=0, microsecond=0)
    if precision == "day":
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return moment.replace(second=0, microsecond=0)


def _label(moment: datetime, precision: str) -> str:
    if precision == "year":
        return f"{moment.year:04d}"
    if precision == "month":
        return f"{moment.year:04d}-{moment.month:02d}"
    if precision == "week":
        iso = moment.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}"
    if precision == "day":
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%dT%H:%M")


_ABSOLUTE = re.compile(r"\b(1[89]|20)\d\d\b")


@lru_cache(maxsize=4096)
def _parser(base: datetime) -> DateDataParser:
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": True}
    return DateDataParser(languages=["en"], settings=settings)


@lru_cache(maxsize=65536)
def normalise(text: str, base: datetime | None) -> tuple[datetime, str, str] | None:
    """Normalise one time expression against ``base`` (the unit's timestamp).

    Returns:
        ``(start of period as aware datetime, precision, label)``, or ``None`` when dateparser
        cannot read it, or when it is relative and there is no ``base`` to resolve it against.
    """
    if base is None and not _ABSOLUTE.search(text):
        return None
    reference = as_utc(base) if base is not None else datetime(2000, 1, 1, tzinfo=UTC)
    data = _parser(reference.replace(tzinfo=None)).get_date_data(text)
    if data.date_obj is None:
        return None
    precision = _PRECISION.get(data.period or "day", "day")
    moment = data.date_obj.replace(tzinfo=reference.tzinfo)  # wall time of the base, its zone
    start = _period_start(moment, precision)
    return start, precision, _label(start, precision)


_BEFORE_MONTH = frozenset({"in", "on", "since", "by", "until", "till", "of", "early", "late", "mid", "last",
                           "next", "this", "during", "from", "through"})  # fmt: skip


def _dated_may(span: Span) -> bool:
    """A lone "May" is the month only after a word like "in"/"since" ("May I…" is a modal)."""
    start = span.start
    return start > 0 and span.doc[start - 1].lower_ in _BEFORE_MONTH


class TimeTagger:
    """Finds and normalises time expressions in a parsed Doc (rules + DATE/TIME entities)."""

    def __init__(self, vocab: Vocab) -> None:
        self._matcher = Matcher(vocab)
        for key, patterns in _PATTERNS.items():
            self._matcher.add(key, patterns)  # type: ignore[arg-type]

    def find(self, doc: Doc, base: datetime | None) -> list[TimeExpression]:
        """Every time expression of ``doc``, longest-first and non-overlapping, in text order."""
        spans = [doc[start:end] for _, start, end in self._matcher(doc)]
        spans.extend(e for e in doc.ents if e.label_ in {"DATE", "TIME"})
        out: list[TimeExpression] = []
        for span in filter_spans(spans):
            if len(span) == 1 and span[0].text == "May" and not _dated_may(span):
                continue
            if any(t.shape_ == "dddd" and not 1800 <= int(t.text) <= 2099 for t in span):
                continue
            found = normalise(span.text, base)
            if found is None:
                out.append(TimeExpression(span, None, None, span.text))
            else:
                out.append(TimeExpression(span, found[0], found[1], found[2]))
        return out
