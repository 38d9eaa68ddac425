"""Values that are not things: dates and times, numbers, numbers with units.

A fact whose object is a value keeps it as a typed literal (``Triple.object_value`` +
``Triple.datatype`` [+ ``Triple.unit``]), after RDF 1.1's typed literals with XSD datatypes:

==========================  ====================  ==================================
text                        value                 datatype
==========================  ====================  ==================================
"20 June 1949"              ``1949-06-20``        ``xsd:date``
"March 2024"                ``2024-03``           ``xsd:gYearMonth``
"in 1963"                   ``1963``              ``xsd:gYear``
"at 13:56 on 8 May 2023"    ``2023-05-08T13:56``  ``xsd:dateTime``
"737"                       ``737``               ``xsd:integer``
"286.5 square kilometres"   ``286.5``             ``xsd:decimal``, unit "square kilometres"
"37.16 km per sec", "km/h"  ``37.16``             ``xsd:decimal``, unit "km per sec"
"1,873", "1.5 million"      ``1873``, ``1500000`` ``xsd:integer``
"1-4165-2060-0", "14/32"    as written            ``xsd:string`` (a code)
==========================  ====================  ==================================

A number keeps the precision it was written with: "2014.0" stays ``2014.0`` (``xsd:decimal``)
and "546" stays ``546`` (``xsd:integer``); nothing is padded or rounded. A unit is kept as
written, lower-cased, a compound unit whole ("per" or "/" + a unit), so a speed is never a
length. What a quantity measures ("1.9 m *tall*", "84 m *above sea level*") is said by the
fact's predicate (:mod:`memcubedb.extraction.measures`), not by the literal.

Week-precision and unnormalised time expressions ("last week" without a timestamp) are not
values (no XSD type names a week); they stay DATE mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from spacy.tokens import Doc, Token

#: time-expression precision → XSD datatype of its ISO 8601 label
DATE_TYPES = {"year": "xsd:gYear", "month": "xsd:gYearMonth", "day": "xsd:date", "time": "xsd:dateTime"}
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+)$")
_MAX_UNIT_WORDS = 3
#: unit symbols read as a unit whatever the tagger made of them ("1.9304m": "m" is tagged a numeral)
UNIT_SYMBOLS = frozenset(
    {"m", "km", "cm", "mm", "ft", "kg", "kgs", "lb", "lbs", "mi", "mph", "kph", "ha", "km/h", "km/s"}
)
#: units of measure written as words; after "a" + number only these are read as a unit ("a 1.2
#: *litre* engine"), any other noun is what the quantity modifies ("a 21.2 *ship beam*")
UNIT_WORDS = frozenset({
    "metre", "metres", "meter", "meters", "kilometre", "kilometres", "kilometer", "kilometers", "centimetre",
    "centimetres", "millimetre", "millimetres", "mile", "miles", "foot", "feet", "inch", "inches", "yard", "yards",
    "litre", "litres", "liter", "liters", "cc", "gram", "grams", "kilogram", "kilograms", "ton", "tons", "tonne",
    "tonnes", "pound", "pounds", "degree", "degrees", "horsepower", "hp", "watt", "watts", "kilowatt", "kilowatts",
    "volt", "volts", "second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks",
    "month", "months", "year", "years", "percent",
})  # fmt: skip
#: words that make an area or a volume of the unit symbol after them ("sq km", "cu cm")
_UNIT_PREFIXES = frozenset({"sq", "sq.", "square", "cu", "cubic"})
#: temperature scales after "degrees" ("164 degrees Kelvin"), whatever their case
_SCALES = frozenset({"kelvin", "celsius", "fahrenheit", "centigrade"})
#: units of time a compound unit may divide by ("km *per second*", "km/*h*"), whatever their tag
TIME_UNITS = frozenset({"second", "seconds", "sec", "s", "minute", "min", "hour", "hr", "h", "day", "year"})
#: adjectives of dimension and the attribute each measures ("1.9 m *tall*" → height)
DIMENSION_ADJECTIVES = {"tall": "height", "high": "height", "long": "length", "wide": "width", "broad": "width",
                        "deep": "depth", "thick": "thickness", "old": "age", "heavy": "weight"}  # fmt: skip
#: nouns of dimension a quantity is given "in" ("5.4 m *in diameter*")
DIMENSION_NOUNS = frozenset({"length", "diameter", "height", "width", "breadth", "depth", "thickness", "radius",
                             "circumference", "area", "size", "weight", "mass", "volume", "capacity", "elevation",
                             "altitude", "span", "wingspan"})  # fmt: skip
#: abbreviations of "above sea level" ("159 m a.s.l.")
_ABOVE_SEA_LEVEL = frozenset({"a.s.l.", "a.s.l", "asl", "amsl"})
SCALES = {"thousand": Decimal(10**3), "million": Decimal(10**6), "billion": Decimal(10**9)}


@dataclass(frozen=True, slots=True)
class Literal:
    """A typed value: ISO 8601 or canonical number ``value``, XSD ``datatype``, optional unit."""

    value: str
    datatype: str
    unit: str | None = None

    @property
    def label(self) -> str:
        """The value as an entity name: ``"286.5 square kilometres"``."""
        return f"{self.value} {self.unit}" if self.unit else self.value


def number(text: str) -> Literal | None:
    """A number as written ("1,234", "296521000.0") → its canonical literal; ``None`` otherwise."""
    plain = text.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text) else text
    if _INTEGER.match(plain):
        return Literal(plain, "xsd:integer")
    if _DECIMAL.match(plain):
        return Literal(plain, "xsd:decimal")
    return None


_CODE_TOKEN = re.compile(r"^\d+[A-Z]{0,2}(/\d+[A-Z]{0,2})+\.?$")
_ISO = {4: "xsd:gYear", 7: "xsd:gYearMonth", 10: "xsd:date", 16: "xsd:dateTime"}
_ISO_FORM = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2})?)?)?$")
_QUANTITY = re.compile(r"^([+-]?[\d.,]+)\s+([a-z][a-z /]{0,40})$")


def typed(name: str, is_date: bool) -> Literal | None:
    """A value written in its normal form ("1949-06-20", "737", "286.5 square kilometres") as
    a typed literal; for extractors that return values as text (the LLM path)."""
    text = " ".join(name.split())
    if is_date:
        return Literal(text, _ISO[len(text)]) if _ISO_FORM.match(text) else None
    found = _QUANTITY.match(text)
    if found:
        value = number(found.group(1))
        return Literal(value.value, value.datatype, found.group(2)) if value else None
    return number(text)


def _unit_words(doc: Doc, after: int) -> list[Token]:
    """The unit phrase right after a number: a unit symbol ("m", "km", whatever its tag), or up
    to three lower-case ADJ/NOUN words ending in a noun ("square kilometres", "fans", "metres"),
    or nothing."""
    if after >= len(doc) or doc[after].is_sent_start:
        return []
    if doc[after].lower_ in UNIT_SYMBOLS:
        return [doc[after]]
    if doc[after].lower_ in _UNIT_PREFIXES and after + 1 < len(doc) and doc[after + 1].lower_ in UNIT_SYMBOLS:
        return [doc[after], doc[after + 1]]  # "490.9 sq km" ("sq" is tagged a preposition)
    words: list[Token] = []
    k = after
    while k < len(doc) and len(words) < _MAX_UNIT_WORDS:
        tok = doc[k]
        if tok.is_sent_start or not tok.is_alpha or not tok.is_lower or tok.pos_ not in {"NOUN", "ADJ"}:
            break
        words.append(tok)
        k += 1
    while words and words[-1].pos_ != "NOUN":
        words.pop()
    if words and words[-1].lower_ in {"degree", "degrees"} and k < len(doc) and doc[k].lower_ in _SCALES:
        words.append(doc[k])  # "164 degrees Kelvin"
    return words


@dataclass(frozen=True, slots=True)
class Measure:
    """What a quantity measures, read from the words right after it (tokens ``[start, end)``).

    A dimension named by an adjective or by "in" + noun gives ``attribute`` ("1.9 m *tall*" →
    "height", "5.4 m *in diameter*" → "diameter"); a height against a reference level gives only
    ``phrase`` ("84 metres *above sea level*", "159 m *a.s.l.*" → "above sea level").
    """

    phrase: str
    attribute: str | None
    start: int
    end: int


def measure(doc: Doc, after: int) -> Measure | None:
    """The measure phrase starting at token ``after`` (right after a quantity), if any."""
    if after >= len(doc) or doc[after].is_sent_start:
        return None
    word = doc[after].lower_
    if word in DIMENSION_ADJECTIVES and doc[after].pos_ in {"ADJ", "ADV"}:
        return Measure(word, DIMENSION_ADJECTIVES[word], after, after + 1)
    if word == "in" and after + 1 < len(doc) and doc[after + 1].lower_ in DIMENSION_NOUNS:
        return Measure(f"in {doc[after + 1].lower_}", doc[after + 1].lower_, after, after + 2)
    if word in _ABOVE_SEA_LEVEL:
        return Measure("above sea level", None, after, after + 1)
    if word in {"above", "below"}:  # "above sea level", "below ground level", "above mean sea level"
        k = after + 1
        while k < min(len(doc), after + 4) and doc[k].is_alpha and doc[k].is_lower and doc[k].lower_ != "level":
            k += 1
        if k < len(doc) and k > after + 1 and doc[k].lower_ == "level":
            return Measure(" ".join(t.lower_ for t in doc[after : k + 1]), None, after, k + 1)
    return None


def is_code(text: str) -> bool:
    """True for a code written as one token: numbers with letters joined by "/" ("03L/21R",
    "4/22"; a full stop the tokenizer left on it at a sentence's end is no part of it)."""
    return bool(_CODE_TOKEN.match(text))


def code(doc: Doc, token: Token) -> tuple[Literal, int, int] | None:
    """A number written with hyphens or slashes and no spaces ("1-4165-2060-0", "14/32",
    "03L/21R"): an identifier or code, kept whole and as written as an ``xsd:string`` literal."""
    if is_code(token.text):
        return Literal(token.text.rstrip("."), "xsd:string"), token.i, token.i + 1
    end = token.i + 1
    while end + 1 < len(doc) and not doc[end - 1].whitespace_ and doc[end].text in {"-", "/"} and (
        doc[end + 1].is_digit or (doc[end + 1].is_alpha and doc[end + 1].is_upper)
    ):  # fmt: skip
        end += 2
    if end - token.i < 3:
        return None
    text = doc[token.i : end].text
    return Literal(text, "xsd:string"), token.i, end


def quantity(doc: Doc, token: Token) -> tuple[Literal, int, int] | None:
    """The number at ``token`` with the unit after it, as ``(literal, first token, end token)``.

    A number is only a value when nothing makes it part of a name; the caller has already given
    dates and names their tokens.
    """
    value = number(token.text)
    if value is None:
        return None
    end = token.i + 1
    if end < len(doc) and doc[end].lower_ in SCALES:  # "1.5 million" → 1500000
        scaled = Decimal(value.value) * SCALES[doc[end].lower_]
        value = number(format(scaled.normalize(), "f")) or value
        end += 1
    unit = _unit_words(doc, end) if measure(doc, end) is None else []  # "524 above sea level": no unit
    if unit and token.i > 0 and doc[token.i - 1].lower_ in {"a", "an"}:  # "a 1.2 litre engine": a unit, then a noun
        unit = unit[:1] if unit[0].lower_ in UNIT_WORDS or unit[0].lower_ in UNIT_SYMBOLS else []
    k = unit[-1].i + 1 if unit else end
    if k + 1 < len(doc) and doc[k].lower_ in {"per", "/"} and (divisor := _divisor(doc, k + 1)):
        unit = [*unit, doc[k], *divisor]  # "kilometres per second", "km/h", "inhabitants per sq km"
    if unit:
        return Literal(value.value, value.datatype, _unit_text(unit)), token.i, unit[-1].i + 1
    return value, token.i, end


def _divisor(doc: Doc, k: int) -> list[Token]:
    """The unit after "per" or "/" of a compound unit: a unit phrase or a unit of time."""
    if doc[k].lower_.rstrip(".") in TIME_UNITS:  # "km/h." at a sentence's end is one token "h."
        return [doc[k]]
    return _unit_words(doc, k)


def _unit_text(unit: list[Token]) -> str:
    """A unit as written, lower-cased, "/" without spaces ("km/h", "kilometres per second")."""
    return " ".join(t.lower_.rstrip(".") or t.lower_ for t in unit).replace(" / ", "/")
