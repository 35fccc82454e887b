"""Finds the PIDA priority datasets in datasets that never declared them: proposals with a score and the evidence.

The terms are data (``vocabularies/detection.yaml``): per concept and language, strong terms (enough in a title or
the keywords), weak terms (need a second piece of evidence) and negative ones, plus the names of each country's
procurement, company-register, sanctions and disclosure systems. Text and terms are folded (accents, case) and
stemmed with the language's Snowball stemmer (``snowballstemmer``), and a phrase matches its words in order with at
most ``GAP`` other words between two of them.

Score of a concept: each piece of evidence weighs its kind (strong, system, weak) times its field (title,
keywords, description, publisher); pieces combine as independent probabilities (1 - prod(1 - w)); a negative term
in the title vetoes the concept, elsewhere it halves the score. The score ranks and filters; what a reviewer reads
is the **confidence**: how often proposals resting on the same kind of evidence (one word, one phrase, several
terms, a national system) were right on a labelled evaluation set (``vocabularies/calibration/detection.yaml``,
written by ``ckan pida calibrate-detection``), so that one word repeated in the title, keywords and description
never reads as 99 %. Only concepts at or above the threshold
(``ckanext.pida.detection.threshold``) are proposed, best first. The detector is pure: no database, no network;
the hub calls it at import and on ``ckan pida detect``, the action ``pida_priority_suggest`` and ``ckan pida
suggest`` expose it.
"""
from __future__ import annotations

import functools
import os
import re
import threading
import unicodedata
from typing import Iterable, Optional

import snowballstemmer
import yaml

import ckan.plugins.toolkit as tk

from ckanext.pida import vocabulary

#: The OAS languages and their Snowball stemmers.
STEMMERS = {"es": "spanish", "pt": "portuguese", "fr": "french", "en": "english"}
#: How much a match counts, by field.
FIELD_WEIGHT = {"title": 1.0, "keywords": 0.8, "description": 0.6, "publisher": 0.5}
#: How much a match counts, by kind of term.
KIND_WEIGHT = {"strong": 0.9, "system": 0.85, "weak": 0.4}
#: Other words allowed between two words of a phrase.
GAP = 2

_WORD = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*")
#: Where a phrase stops: punctuation between clauses, and the boundary between two keywords.
_SEGMENT = re.compile(r"[;,:()\[\]|/\n]|\.\s|\s[-\u2013\u2014]\s")
#: A phrase matched with other words between its words counts this much less.
GAPPED = 0.8


def fold(text: str) -> str:
    """Lower case without accents: "Contratación Pública" -> "contratacion publica"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def segments(text: str) -> list[list[str]]:
    """The words of each clause of ``text``: a phrase never matches across a comma, a semicolon or two keywords."""
    return [w for w in (words(part) for part in _SEGMENT.split(fold(text))) if w]


_local = threading.local()


def _stemmer(lang: str):
    """The language's stemmer for this thread: a Snowball stemmer keeps its word in its own state, so two threads
    (a threaded web server, two fetch consumers in one process) sharing one garble each other's words."""
    stemmers = _local.__dict__.setdefault("stemmers", {})
    if lang not in stemmers:
        stemmers[lang] = snowballstemmer.stemmer(STEMMERS[lang])
    return stemmers[lang]


def stem(lang: str, word: str) -> str:
    """The word's stem in the language. Numbers are their own stem, and are not cached: a portal's titles carry
    years, codes and counts by the hundred thousand, which would fill the cache (and the memory of a long
    ``ckan pida adopt``) with words that are never stemmed."""
    if word.isdigit():
        return word
    return _stem(lang, word)


@functools.lru_cache(maxsize=50_000)
def _stem(lang: str, word: str) -> str:
    return _stemmer(lang).stemWord(word)


class Term:
    __slots__ = ("text", "concept", "kind", "lang", "stems", "country")

    def __init__(self, text, concept, kind, lang, stems, country=None):
        self.text, self.concept, self.kind, self.lang, self.stems, self.country = (
            text, concept, kind, lang, stems, country)


def load_terms() -> dict:
    """The terms of the data file, per concept and language: ``{"strong": [...], "weak": [...], "negative": [...]}``."""
    return vocabulary.load("detection").get("concepts") or {}


@functools.lru_cache(maxsize=None)
def terms() -> dict:
    """Terms by (language, first stem); systems under language None by their first folded word. Terms with the
    same stems ("contratos públicos", "contrataciones públicas") are one."""
    data = vocabulary.load("detection")
    index: dict = {}
    seen = set()
    for concept_id, by_lang in load_terms().items():
        for lang, kinds in (by_lang or {}).items():
            if lang not in STEMMERS:
                continue
            for kind in ("strong", "weak", "negative"):
                for text in kinds.get(kind) or []:
                    stems = tuple(stem(lang, w) for w in words(text))
                    if stems and (concept_id, kind, lang, stems) not in seen:
                        seen.add((concept_id, kind, lang, stems))
                        index.setdefault((lang, stems[0]), []).append(Term(text, concept_id, kind, lang, stems))
    for country, systems in (data.get("systems") or {}).items():
        for text, concept_ids in (systems or {}).items():
            folded = tuple(words(text))
            for concept_id in concept_ids:
                index.setdefault((None, folded[0]), []).append(
                    Term(text, concept_id, "system", None, folded, country.upper()))
    return index


def _matches(sequence: list[str], stems: tuple) -> Optional[tuple[int, int, bool]]:
    """Where ``stems`` occur in order in ``sequence`` (at most GAP words between two of them): (start, end,
    whether other words came between). The tightest match wins."""
    best = None
    for start, token in enumerate(sequence):
        if token != stems[0]:
            continue
        position, ok, gapped = start, True, False
        for wanted in stems[1:]:
            window = sequence[position + 1:position + 2 + GAP]
            if wanted not in window:
                ok = False
                break
            gapped = gapped or window.index(wanted) > 0
            position = position + 1 + window.index(wanted)
        if ok and (best is None or (best[2] and not gapped)):
            best = (start, position + 1, gapped)
    return best


def fields_of(dataset: dict) -> dict[str, str]:
    """The text the detector reads in a dataset, by field (title, keywords, description, publisher)."""
    tags = dataset.get("tags") or dataset.get("keywords") or []
    if isinstance(tags, str):
        tags = [t for t in tags.split(",")]
    tags = [t.get("display_name") or t.get("name") if isinstance(t, dict) else t for t in tags]
    publisher = dataset.get("publisher")
    if isinstance(publisher, list):
        publisher = " ".join(p.get("name") or "" for p in publisher if isinstance(p, dict))
    elif isinstance(publisher, dict):
        publisher = publisher.get("name")
    organization = dataset.get("organization")
    if isinstance(organization, dict):
        publisher = " ".join(filter(None, [publisher, organization.get("title")]))
    return {"title": dataset.get("title") or "", "keywords": "; ".join(t for t in tags if t),
            "description": dataset.get("notes") or dataset.get("description") or "",
            "publisher": publisher or ""}


def suggest(dataset: dict, lang: Optional[str] = None, country: Optional[str] = None,
            threshold: Optional[float] = None, exclude: Iterable[str] = ()) -> list[dict]:
    """The priority concepts ``dataset`` (title, notes or description, tags or keywords, publisher) probably is,
    at or above ``threshold``, best first: ``[{"id", "score", "evidence": [{"term", "field", "kind", "lang",
    "text"}]}]``. ``lang`` limits the terms to one language (else all four); ``country`` limits the systems to
    that country's (else all); ``exclude`` leaves out concepts (those the dataset already declares)."""
    if threshold is None:
        threshold = default_threshold()
    langs = [lang] if lang in STEMMERS else list(STEMMERS)
    country = (country or "").upper() or None
    index = terms()
    found: dict[str, dict] = {}  # concept -> {(kind, term, field): evidence}
    vetoed, weakened = set(), set()
    for field, text in fields_of(dataset).items():
        for tokens in segments(text):
            _match_segment(tokens, field, langs, country, index, found, vetoed, weakened)
    excluded = set(exclude)
    out = []
    for concept_id, pieces in found.items():
        if concept_id in vetoed or concept_id in excluded or not vocabulary.concept(concept_id):
            continue
        # Precision first: the description or the publisher alone never make a proposal.
        if not any(p["field"] in ("title", "keywords") or p["kind"] == "system" for p in pieces.values()):
            continue
        pieces = _without_overlaps(list(pieces.values()))
        miss = 1.0
        for piece in pieces:
            miss *= 1.0 - piece["_weight"]
        score = 1.0 - miss
        if concept_id in weakened:
            score /= 2
        if score + 1e-9 < threshold:
            continue
        longest = max(piece["_length"] for piece in pieces)
        pieces.sort(key=lambda p: (-p["_weight"], -p["_length"]))
        out.append({"id": concept_id, "score": round(min(score, 1.0), 3), "_longest": longest,
                    "evidence": [{k: v for k, v in p.items() if not k.startswith("_")} for p in pieces]})
    # Ties go to the concept named by the longer phrase ("budget des dépenses" before "dépenses").
    out.sort(key=lambda s: (-s["score"], -s["_longest"], s["id"]))
    for s in out:
        del s["_longest"]
    return out


def _match_segment(tokens, field, langs, country, index, found, vetoed, weakened) -> None:
    """Adds to ``found`` the evidence of each term matched in one clause of a field (``tokens``), and notes the
    concepts a negative term vetoes (in the title) or weakens (elsewhere)."""
    sequences = [(language, [stem(language, w) for w in tokens]) for language in langs]
    sequences.append((None, tokens))
    for language, sequence in sequences:
        for first in set(sequence):
            for term in index.get((language, first), ()):
                if term.country and country and term.country != country:
                    continue
                where = _matches(sequence, term.stems)
                if not where:
                    continue
                if term.kind == "negative":
                    (vetoed if field == "title" else weakened).add(term.concept)
                    continue
                evidence = {"term": term.text, "field": field, "kind": term.kind,
                            "text": " ".join(tokens[where[0]:where[1]])}
                if term.lang:
                    evidence["lang"] = term.lang
                if term.country:
                    evidence["country"] = term.country
                weight = KIND_WEIGHT[term.kind] * FIELD_WEIGHT[field] * (GAPPED if where[2] else 1.0)
                key = (term.kind, term.text, field)
                best = found.setdefault(term.concept, {}).get(key)
                if not best or best["_weight"] < weight:
                    found[term.concept][key] = dict(evidence, _weight=weight, _length=len(term.stems))


def default_threshold() -> float:
    return float(tk.config.get("ckanext.pida.detection.threshold"))


def _without_overlaps(pieces: list[dict]) -> list[dict]:
    """One piece of evidence per matched text and field: "contratos públicos" (strong) also contains "contratos"
    (weak), which must not count twice."""
    pieces.sort(key=lambda p: (-p["_weight"], -p["_length"]))
    kept: list[dict] = []
    for piece in pieces:
        if any(k["field"] == piece["field"] and piece["text"] in k["text"] for k in kept):
            continue
        kept.append(piece)
    return kept


# --- calibration ------------------------------------------------------------------------------------------------

#: The kinds of evidence a proposal rests on, from the weakest.
EVIDENCE_CLASSES = ("word", "words", "phrase", "phrases", "system")
CALIBRATION_FILE = os.path.join(os.path.dirname(__file__), "vocabularies", "calibration", "detection.yaml")


def evidence_class(evidence: list[dict]) -> str:
    """What a proposal rests on: a national ``system``'s name; several distinct terms of which one is a phrase
    (``phrases``) or all single words (``words``); one ``phrase`` or one ``word`` (however many fields repeat it)."""
    terms = {(e.get("kind"), e.get("term")) for e in evidence or []}
    if any(kind == "system" for kind, _term in terms):
        return "system"
    phrase = any(len(words(e.get("text") or e.get("term") or "")) > 1 for e in evidence or [])
    if len(terms) > 1:
        return "phrases" if phrase else "words"
    return "phrase" if phrase else "word"


@functools.lru_cache(maxsize=1)
def calibration() -> dict:
    with open(CALIBRATION_FILE, encoding="utf-8") as f:
        return yaml.safe_load(f)


def confidence(proposal: dict) -> dict:
    """``{"value" (0 to 1), "class", "right", "of"}``: how often proposals resting on the same kind of evidence
    were right on the evaluation set, (right + 1) / (of + 2) so that a class seen rarely stays near a coin toss."""
    cls = evidence_class(proposal.get("evidence") or [])
    measured = (calibration().get("classes") or {}).get(cls) or {"right": 0, "of": 0}
    return {"class": cls, "right": measured["right"], "of": measured["of"],
            "value": round((measured["right"] + 1) / (measured["of"] + 2), 3)}


def calibrate(rows: Iterable[dict], threshold: Optional[float] = None) -> dict:
    """Every proposal on a labelled set (``{"title", "notes", "tags", "lang", "country", "expected"}`` per row),
    counted by evidence class: ``{"classes": {class: {"right", "of"}}, "datasets", "proposals"}``."""
    classes = {cls: {"right": 0, "of": 0} for cls in EVIDENCE_CLASSES}
    datasets = proposals = 0
    for row in rows:
        datasets += 1
        lang = row.get("lang") if row.get("lang") in STEMMERS else None
        for proposal in suggest(row, lang=lang, country=row.get("country"), threshold=threshold):
            proposals += 1
            counts = classes[evidence_class(proposal["evidence"])]
            counts["of"] += 1
            counts["right"] += proposal["id"] in (row.get("expected") or [])
    return {"classes": classes, "datasets": datasets, "proposals": proposals}
