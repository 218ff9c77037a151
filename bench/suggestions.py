"""Capability suggestions against the office's final choice, on held-back requests.

Loads the demo networks and replays part of a year of each network named in
BENCH_SUGGESTION_NETWORKS (default Kyoto Shisaku Net and the Migakiya Syndicate) at
BENCH_SUGGESTION_SCALE of its volume (default the whole year) through the real services. Its settled
requests, oldest first, are split: the network's history is learned from the first 80%,
and each of the last 20% is suggested from its title, description and material alone and
compared with the capabilities its office settled on (micro-averaged precision and
recall over all of them).

The baseline, measured on the same held-back requests in the same run, is plain keyword
matching as the request form did it before: a capability is suggested when one of its
names or keywords occurs in the text (Latin words standing alone, Japanese anywhere),
the most specific only. "words only" is the new reading without any history. The time to
learn a network's history and the p95 of one suggestion (history learned) are reported.
"""

from __future__ import annotations

import os
import re
import time

from django.db import connection

from bench.report import BenchmarkRefused, Measurement, percentile

NETWORKS = tuple(
    slug.strip()
    for slug in os.environ.get(
        "BENCH_SUGGESTION_NETWORKS", "kyoto-shisaku-net,migakiya-syndicate"
    ).split(",")
    if slug.strip()
)
SCALE = float(os.environ.get("BENCH_SUGGESTION_SCALE", "1.0"))
SEED = 1
TRAINING_SHARE = 0.8
# Suggestions a person can trust: most of what is ticked is right, most of what is
# needed is ticked.
PRECISION_TARGET = 0.8
RECALL_TARGET = 0.8
SUGGESTION_P95_TARGET_MS = 100.0
KEYWORD_SEPARATORS = re.compile("[,\u3001\uff0c]")


def run() -> list[Measurement]:
    if connection.vendor != "postgresql":
        raise BenchmarkRefused("the suggestion benchmark replays a year: it needs PostgreSQL")
    from django.core.management import call_command
    from django.utils import timezone

    from brokerage.page_selectors import capability_taxonomy
    from demo.replay import replay_exists, replay_network
    from members.models import Network

    call_command("load_demo", verbosity=0)
    capabilities = capability_taxonomy()
    measurements: list[Measurement] = []
    for slug in NETWORKS:
        network = Network.objects.get(slug=slug)
        if not replay_exists(network):
            started = time.monotonic()
            replay_network(network, seed=SEED, until=timezone.now(), scale=SCALE)
            print(f"  replayed {slug} at {SCALE} in {time.monotonic() - started:.1f} s", flush=True)
        measurements += measure_network(network, capabilities)
    return measurements


def measure_network(network, capabilities) -> list[Measurement]:
    from brokerage.capability_suggestions import settled_request_examples
    from capabilities.suggestions import KeywordIndex, SuggestionHistory, capability_suggestions

    examples = list(reversed(settled_request_examples(network.pk, limit=1_000_000)))
    cut = int(len(examples) * TRAINING_SHARE)
    training, held_back = examples[:cut], examples[cut:]
    if not held_back:
        raise BenchmarkRefused(f"{network.slug}: no settled requests to hold back")
    index = KeywordIndex.of(capabilities)
    started = time.monotonic()
    history = SuggestionHistory.learned_from(training)
    learn_seconds = time.monotonic() - started

    learned, words_only, keywords, times = [], [], [], []
    for text, chosen in held_back:
        started = time.perf_counter()
        suggestions = capability_suggestions(text, capabilities, history=history, index=index)
        times.append((time.perf_counter() - started) * 1000)
        learned.append(({s.code for s in suggestions}, set(chosen)))
        plain = capability_suggestions(text, capabilities, index=index)
        words_only.append(({s.code for s in plain}, set(chosen)))
        keywords.append((set(plain_keyword_codes(text, capabilities)), set(chosen)))

    precision, recall = precision_recall(learned)
    words_precision, words_recall = precision_recall(words_only)
    keyword_precision, keyword_recall = precision_recall(keywords)
    name = f"suggestions.{network.slug}"
    print(
        f"  {network.slug}: learned from {len(training)} requests, {len(held_back)} held back",
        flush=True,
    )
    return [
        Measurement(
            f"{name}.precision (learned, vs plain keywords)",
            "share",
            precision,
            target=PRECISION_TARGET,
            baseline=keyword_precision,
            higher_is_better=True,
        ),
        Measurement(
            f"{name}.recall (learned, vs plain keywords)",
            "share",
            recall,
            target=RECALL_TARGET,
            baseline=keyword_recall,
            higher_is_better=True,
        ),
        Measurement(
            f"{name}.precision (words only, vs plain keywords)",
            "share",
            words_precision,
            baseline=keyword_precision,
        ),
        Measurement(
            f"{name}.recall (words only, vs plain keywords)",
            "share",
            words_recall,
            baseline=keyword_recall,
        ),
        Measurement(f"{name}.held-back requests", "requests", float(len(held_back))),
        Measurement(
            f"{name}.learn history of {len(training)} requests", "s", round(learn_seconds, 2)
        ),
        Measurement(
            f"{name}.one suggestion.p95",
            "ms",
            round(percentile(times, 0.95), 2),
            target=SUGGESTION_P95_TARGET_MS,
        ),
    ]


def precision_recall(pairs: list[tuple[set[str], set[str]]]) -> tuple[float, float]:
    """Return micro-averaged precision and recall of (suggested, chosen) pairs."""
    right = sum(len(suggested & chosen) for suggested, chosen in pairs)
    suggested = sum(len(suggested) for suggested, _ in pairs)
    chosen = sum(len(chosen) for _, chosen in pairs)
    return (
        round(right / suggested, 3) if suggested else 0.0,
        round(right / chosen, 3) if chosen else 0.0,
    )


def plain_keyword_codes(text: str, capabilities) -> list[str]:
    """Return the codes whose names or keywords occur in the text: the form's old matching."""
    folded = text.casefold()
    matched = []
    for capability in capabilities:
        terms = [word.strip() for word in KEYWORD_SEPARATORS.split(capability.keywords)]
        terms += [capability.name_ja, capability.name_en]
        if any(len(term) >= 2 and occurs(term.casefold(), folded) for term in terms):
            matched.append(capability.code)
    return [code for code in matched if not any(o.startswith(f"{code}.") for o in matched)]


def occurs(term: str, text: str) -> bool:
    if term.isascii():
        pattern = rf"(?<![a-z0-9]){re.escape(term)}(?:e?s)?(?![a-z0-9])"
        return re.search(pattern, text) is not None
    return term in text
