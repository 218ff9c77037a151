"""Suggest the capabilities a request's text asks for, from its words.

Two kinds of evidence, both read from words, never from pieces of words:

- the taxonomy's own words (each capability's names and keywords), matched as whole words
  and phrases: Japanese is split into words by Janome's dictionary, Latin script into
  words at spaces and punctuation; case and width are folded (NFKC) and an English plural
  is read as its singular. The longest phrase wins, so "stainless steel" is stainless
  steel and its "steel" is not also carbon steel.
- a network's history (SuggestionHistory, learned from its past requests' text and the
  capabilities their office settled on): the past requests worded most alike vote for
  what their office chose.

The history is passed in by the caller (brokerage reads the requests; this app does not
know them), as plain (text, codes) examples.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

from capabilities.models import Capability

# Splits a capability's keywords: written with ASCII or Japanese commas.
KEYWORD_SEPARATORS = re.compile("[,\u3001\uff0c]")  # comma, ideographic and full-width
# A suggestion is offered from this score up: more likely than not to be kept.
SUGGESTION_THRESHOLD = 0.5
# The taxonomy's words vote as one past request worded exactly alike: a network without
# history trusts them, and one whose office chose otherwise for such texts outvotes them.
TAXONOMY_VOTE = 1.0
# The past requests most alike a text that vote on its capabilities.
NEIGHBOURS = 10
# Parts of speech (Janome's IPADIC tags) that carry what a request is about.
CONTENT_PARTS_OF_SPEECH = ("名詞", "動詞", "形容詞")
NON_CONTENT_NOUNS = ("数", "非自立", "代名詞", "接尾")
KATAKANA_RUN = re.compile(r"^[\u30a0-\u30ff]+$")
# The shortest katakana keyword read as the head of a compound Janome did not know
# ("ビードブラスト" is a kind of "ブラスト"); shorter ones are too often part of other words.
SHORTEST_COMPOUND_HEAD = 3


@dataclass(frozen=True)
class Word:
    """One word of a text: its form for matching, its dictionary form, where it came from."""

    key: str  # NFKC, case-folded, an English plural made singular
    lemma: str  # the dictionary form (a Japanese verb's base form), for learning
    content: bool  # a noun, verb or adjective that says what the text is about
    unknown_katakana: bool  # a katakana run the dictionary does not know: maybe a compound


@dataclass(frozen=True)
class Suggestion:
    """A capability the text asks for, with how sure the suggestion is (0 to 1)."""

    code: str
    score: float


@cache
def tokenizer():
    """Return the one Janome tokenizer of the process (loading its dictionary takes ~0.5 s)."""
    from janome.tokenizer import Tokenizer

    return Tokenizer()


def singular(word: str) -> str:
    """Return an English word's singular by the regular rules; other words as they are.

    Words of three letters keep their "s" ("pcs", "gas", "abs"): there it is too often
    part of the word or an abbreviation.
    """
    if not word.isascii() or not word.isalpha() or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words_of(text: str) -> list[Word]:
    """Return the words of a text, in order, without spaces."""
    normalised = unicodedata.normalize("NFKC", text)
    words = []
    for token in tokenizer().tokenize(normalised):
        surface = token.surface.strip()
        if not surface:
            continue
        part, detail = [*token.part_of_speech.split(","), "*"][:2]
        folded = surface.casefold()
        lemma = token.base_form if token.base_form not in ("", "*") else surface
        # Out of context the dictionary may guess a loanword wrong ("ピン" read as the
        # adverb of "ピンと"): a word in katakana or Latin letters names a thing here.
        loanword = bool(KATAKANA_RUN.match(surface)) or (folded.isascii() and folded.isalpha())
        content = (
            (part in CONTENT_PARTS_OF_SPEECH and detail not in NON_CONTENT_NOUNS) or loanword
        ) and any(character.isalpha() for character in folded)
        words.append(
            Word(
                key=singular(folded),
                lemma=singular(lemma.casefold()),
                content=content,
                unknown_katakana=token.node_type == "UNKNOWN" and bool(KATAKANA_RUN.match(surface)),
            )
        )
    return words


@dataclass(frozen=True)
class KeywordIndex:
    """The taxonomy's names and keywords as phrases of words, each naming its capabilities."""

    phrases: dict[tuple[str, ...], frozenset[str]]
    longest: int
    # Katakana keywords whole: the dictionary may split one alone ("ブラ", "スト") that it
    # keeps inside an unknown compound ("ビードブラスト").
    katakana: dict[str, frozenset[str]]

    @classmethod
    def of(cls, capabilities: Iterable[Capability]) -> KeywordIndex:
        """Return the index of these capabilities' words (kept while the taxonomy is unchanged)."""
        return keyword_index(
            tuple(
                (capability.code, capability.name_ja, capability.name_en, capability.keywords)
                for capability in capabilities
            )
        )

    def matches(self, words: Sequence[Word]) -> set[str]:
        """Return the codes whose phrases the words hold, reading the longest phrase first."""
        codes: set[str] = set()
        position = 0
        while position < len(words):
            for length in range(min(self.longest, len(words) - position), 0, -1):
                phrase = tuple(word.key for word in words[position : position + length])
                if phrase in self.phrases:
                    codes |= self.phrases[phrase]
                    position += length
                    break
            else:
                codes |= self.compound_head_matches(words[position])
                position += 1
        return codes

    def compound_head_matches(self, word: Word) -> frozenset[str]:
        """Return the codes of a katakana keyword that ends a compound the dictionary lacks."""
        if not word.unknown_katakana:
            return frozenset()
        for start in range(1, len(word.key) - SHORTEST_COMPOUND_HEAD + 1):
            codes = self.katakana.get(word.key[start:])
            if codes:
                return codes
        return frozenset()


@lru_cache(maxsize=8)
def keyword_index(taxonomy: tuple[tuple[str, str, str, str], ...]) -> KeywordIndex:
    """Return the index of (code, Japanese name, English name, keywords) rows."""
    phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)
    katakana: dict[str, set[str]] = defaultdict(set)
    for code, name_ja, name_en, keywords in taxonomy:
        terms = [term.strip() for term in KEYWORD_SEPARATORS.split(keywords)]
        for term in [*terms, name_ja, name_en]:
            if not term or (term.isascii() and len(term) < 2):
                continue  # one Latin letter is no word worth matching
            phrase = tuple(word.key for word in words_of(term))
            if phrase:
                phrases[phrase].add(code)
            written = unicodedata.normalize("NFKC", term)
            if KATAKANA_RUN.match(written):
                katakana[written].add(code)
    return KeywordIndex(
        phrases={phrase: frozenset(codes) for phrase, codes in phrases.items()},
        longest=max((len(phrase) for phrase in phrases), default=0),
        katakana={term: frozenset(codes) for term, codes in katakana.items()},
    )


@dataclass(frozen=True)
class PastRequest:
    """A past request of the network: its words and the capabilities its office settled on."""

    lemmas: frozenset[str]
    codes: frozenset[str]
    norm: float  # the length of its vector of word weights, for cosine similarity


@dataclass
class SuggestionHistory:
    """What one network's offices settled on for its past requests, and how rare each word is.

    A new text is compared with each past request by the words they share, each weighed
    by how rare it is among the network's requests (TF-IDF's inverse document frequency,
    cosine similarity); the NEIGHBOURS most alike vote for what their office chose, each
    by its similarity.
    """

    requests: list[PastRequest] = field(default_factory=list)
    word_requests: Counter = field(default_factory=Counter)

    @classmethod
    def learned_from(cls, examples: Iterable[tuple[str, Iterable[str]]]) -> SuggestionHistory:
        """Learn from (text, codes the office settled on) pairs."""
        history = cls()
        read = []
        for text, codes in examples:
            if chosen := frozenset(codes):
                lemmas = frozenset(word.lemma for word in words_of(text) if word.content)
                read.append((lemmas, chosen))
                history.word_requests.update(lemmas)
        history.requests = [
            PastRequest(
                lemmas=lemmas,
                codes=chosen,
                # Counted once all requests are read: a word's weight depends on all of them.
                norm=math.sqrt(sum(history.rarity(lemma, len(read)) ** 2 for lemma in lemmas)),
            )
            for lemmas, chosen in read
        ]
        return history

    def rarity(self, lemma: str, requests: int | None = None) -> float:
        """Return a word's weight: higher the fewer past requests had it (smoothed IDF)."""
        requests = len(self.requests) if requests is None else requests
        return math.log((requests + 1) / (self.word_requests[lemma] + 1)) + 1

    def alike(self, lemmas: Iterable[str]) -> list[tuple[float, PastRequest]]:
        """Return the past requests most alike the words, with their similarity (0 to 1)."""
        query = {lemma: self.rarity(lemma) for lemma in set(lemmas)}
        query_norm = math.sqrt(sum(weight * weight for weight in query.values()))
        if not query_norm:
            return []
        scored = []
        for past in self.requests:
            shared = sum(query[lemma] ** 2 for lemma in past.lemmas if lemma in query)
            if shared:
                scored.append((shared / (query_norm * past.norm), past))
        scored.sort(key=lambda pair: pair[0], reverse=True)
        return scored[:NEIGHBOURS]

    def votes(self, lemmas: Iterable[str]) -> tuple[Counter, float]:
        """Return each capability's votes from the requests most alike, and all the votes."""
        votes: Counter = Counter()
        total = 0.0
        for similarity, past in self.alike(lemmas):
            total += similarity
            for code in past.codes:
                votes[code] += similarity
        return votes, total


def capability_suggestions(
    text: str,
    capabilities: Iterable[Capability],
    *,
    history: SuggestionHistory | None = None,
    index: KeywordIndex | None = None,
) -> list[Suggestion]:
    """Return the capabilities the text asks for, surest first, the most specific only.

    A capability's score is a vote: the taxonomy's words vote as one past request worded
    exactly alike (weight 1) for what they name, and each of the network's past requests
    most alike votes by its similarity for what its office chose; the score is the share
    of the votes. Without history the taxonomy's words alone decide.
    """
    capabilities = list(capabilities)
    index = index or KeywordIndex.of(capabilities)
    words = words_of(text)
    votes: Counter = Counter(dict.fromkeys(index.matches(words), TAXONOMY_VOTE))
    total = TAXONOMY_VOTE
    if history and history.requests:
        past_votes, past_total = history.votes(word.lemma for word in words if word.content)
        votes.update(past_votes)
        total += past_total
    scores = {code: vote / total for code, vote in votes.items()}
    known = {capability.code for capability in capabilities}
    chosen = {code for code, score in scores.items() if score >= SUGGESTION_THRESHOLD} & known
    # "Milling" says more than "machining": drop a node when a descendant is suggested too.
    specific = [code for code in chosen if not any(o.startswith(f"{code}.") for o in chosen)]
    return sorted(
        (Suggestion(code=code, score=round(scores[code], 3)) for code in specific),
        key=lambda suggestion: (-suggestion.score, suggestion.code),
    )
