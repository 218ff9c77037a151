"""Capability suggestions for a network's request form and API, learned from its history.

capabilities.suggestions reads words; this module hands it what this network's offices
settled on for their past requests (their text and their requirements as they stand),
learned once and kept in the shared cache for CAPABILITY_SUGGESTION_HISTORY_SECONDS.
A new request changes what a network asks for slowly, so an hour-old history suggests
as well; a network's first suggestion after that pays for learning it again: reading
each request's words with Janome, about 6 ms a request on the bench's machine (336 in
2.2 s), so about 2 s for the latest HISTORY_REQUESTS.

Confidential requests never teach: their words would show through what others are
offered. Drafts and requests still waiting for the office (submitted) have not been
settled yet.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache

from capabilities.models import Capability
from capabilities.suggestions import (
    KeywordIndex,
    Suggestion,
    SuggestionHistory,
    capability_suggestions,
)
from orders.models import RFQ, RFQRequirement

logger = logging.getLogger(__name__)

# The latest requests a network's history is learned from: enough to know its words
# (a demo network's year is 200 to 400), few enough to learn in about two seconds.
HISTORY_REQUESTS = 300
UNSETTLED_STATUSES = (RFQ.Status.DRAFT, RFQ.Status.SUBMITTED)


def settled_request_examples(network_id: int, *, limit: int = HISTORY_REQUESTS):
    """Return (text, required codes) of the network's latest settled, open-to-learn requests."""
    requests = list(
        RFQ.objects.filter(network_id=network_id, confidential=False)
        .exclude(status__in=UNSETTLED_STATUSES)
        .order_by("-id")
        .values_list("id", "title", "description", "material")[:limit]
    )
    codes = defaultdict(list)
    for rfq_id, code in RFQRequirement.objects.filter(
        rfq_id__in=[row[0] for row in requests]
    ).values_list("rfq_id", "capability__code"):
        codes[rfq_id].append(code)
    return [
        (request_text(title, description, material), codes[rfq_id])
        for rfq_id, title, description, material in requests
        if codes[rfq_id]
    ]


def request_text(*parts: str) -> str:
    """Return the text a request's suggestions are read from (title, description, material)."""
    return "\n".join(part for part in parts if part)


def network_history(network_id: int) -> SuggestionHistory:
    """Return what the network's offices settled on, learned at most an hour ago."""
    # The version changes with SuggestionHistory's shape: an old process's pickle is skipped.
    key = f"capability-suggestions:history:v1:{network_id}"
    try:
        history = cache.get(key)
    except Exception:  # the cache is a shortcut: without it, learn again
        logger.warning("capability suggestions: the cache did not answer", exc_info=True)
        history = None
    if history is None:
        history = SuggestionHistory.learned_from(settled_request_examples(network_id))
        try:
            cache.set(key, history, settings.CAPABILITY_SUGGESTION_HISTORY_SECONDS)
        except Exception:
            logger.warning("capability suggestions: the cache did not answer", exc_info=True)
    return history


def suggestions_for_network(
    network_id: int | None, text: str, capabilities: Iterable[Capability]
) -> list[Suggestion]:
    """Return the capabilities the text asks for, with the network's history if there is one."""
    capabilities = list(capabilities)
    index = KeywordIndex.of(capabilities)
    history = network_history(network_id) if network_id else None
    return capability_suggestions(text, capabilities, history=history, index=index)
