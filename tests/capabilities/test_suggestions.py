"""Suggesting capabilities from a request's words: whole words in English and Japanese,
and what a network's offices settled on for past requests."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capabilities.models import Capability
from capabilities.suggestions import (
    SuggestionHistory,
    capability_suggestions,
    singular,
    words_of,
)
from demo.taxonomy import TAXONOMY


@pytest.fixture(scope="module")
def taxonomy() -> list[Capability]:
    # The demo taxonomy's nodes below the kind roots, as the request form offers them.
    return [
        Capability(
            code=node.code,
            kind=node.kind,
            name_ja=node.name_ja,
            name_en=node.name_en,
            keywords=node.keywords,
        )
        for node in TAXONOMY
        if "." in node.code
    ]


def suggested(text, taxonomy, history=None) -> list[str]:
    return [
        suggestion.code for suggestion in capability_suggestions(text, taxonomy, history=history)
    ]


def test_the_reported_english_text_suggests_stainless_and_blasting_only(taxonomy):
    # Given the text of the reported request
    text = "Stainless steel flange, bead blasting finish, 4 pcs."
    # When capabilities are suggested from it
    codes = suggested(text, taxonomy)
    # Then stainless steel and blasting, not carbon steel ("steel") nor polycarbonate ("pcs")
    assert sorted(codes) == ["finish.blasting", "material.stainless"]


def test_the_same_request_in_japanese_is_read_word_by_word(taxonomy):
    # Given the request written in Japanese, with a compound the dictionary does not know
    text = "ステンレスの切削加工、ビードブラスト仕上げ、4個"
    # When capabilities are suggested from it
    codes = suggested(text, taxonomy)
    # Then stainless, machining (切削) and blasting (ビード「ブラスト」) are suggested, and
    # nothing from the count
    assert sorted(codes) == ["finish.blasting", "material.stainless", "process.machining"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Full-width letters and digits are the same words as half-width ones.
        ("ＳＵＳ３０４の鏡面研磨", ["finish.polishing.mirror", "material.stainless"]),
        # A more specific node drops its ancestor: milling, not also machining.
        (
            "フライス加工で削り出し、材質はaluminium。",
            ["material.aluminium", "process.machining.milling"],
        ),
        # Plurals and capitals are the same words; a phrase is read before its parts.
        ("Five-axis IMPELLERS in Ti-6Al-4V", ["material.titanium", "process.machining.five_axis"]),
        ("Mild steel brackets, TIG welding", ["material.carbon_steel", "process.welding.tig"]),
        # Pieces of words are no words: "cut" in "shortcut", "PC" in "PCs" or "pcs".
        ("A shortcut for 10 PCs", []),
    ],
)
def test_words_are_read_whole_in_either_language(taxonomy, text, expected):
    assert sorted(suggested(text, taxonomy)) == expected


def test_singular_reads_regular_plurals_and_keeps_short_words():
    assert [singular(word) for word in ["flanges", "assemblies", "boxes", "parts"]] == [
        "flange",
        "assembly",
        "box",
        "part",
    ]
    assert [singular(word) for word in ["pcs", "gas", "stainless", "process"]] == [
        "pcs",
        "gas",
        "stainless",
        "process",
    ]


def test_japanese_words_carry_their_dictionary_form_for_learning():
    words = words_of("ブラケットを削り出したい")
    lemmas = [word.lemma for word in words if word.content]
    assert "ブラケット" in lemmas
    assert "削る" in lemmas  # 削り, read as the verb it is


def test_history_suggests_what_the_office_chose_for_requests_worded_alike(taxonomy):
    # Given a network whose office settled brackets "削り出し" on milling and aluminium
    examples = [
        ("アルミ削り出しブラケットの試作", ["process.machining.milling", "material.aluminium"])
    ] * 6
    examples += [
        ("ステンレスシャフトの旋削試作", ["process.machining.turning", "material.stainless"])
    ] * 6
    history = SuggestionHistory.learned_from(examples)
    # When a new request says only "ブラケットの削り出し"
    text = "ブラケットの削り出し、3個"
    without = suggested(text, taxonomy)
    learned = suggested(text, taxonomy, history)
    # Then the taxonomy alone says machining (削り出し); the history says milling and
    # aluminium, which the office chose every time for those words
    assert without == ["process.machining"]
    assert sorted(learned) == ["material.aluminium", "process.machining.milling"]


def test_history_drops_a_taxonomy_word_the_office_never_kept(taxonomy):
    # Given an office that, for "カバー" (a sheet-metal keyword), always chose resin work
    examples = [("樹脂カバーの試作", ["process.resin.machining"])] * 5
    examples += [("アルミ削り出しブラケットの試作", ["process.machining.milling"])] * 5
    history = SuggestionHistory.learned_from(examples)
    # When a new request asks for a cover
    text = "カバーを作りたい"
    # Then without history sheet metal is suggested, and with it resin machining instead
    assert suggested(text, taxonomy) == ["process.sheet_metal"]
    assert suggested(text, taxonomy, history) == ["process.resin.machining"]


def test_words_in_every_request_teach_nothing(taxonomy):
    # Given a history where "試作" is in every request, with different capabilities
    examples = [("アルミ部品の試作", ["material.aluminium"])] * 3
    examples += [("チタン部品の試作", ["material.titanium"])] * 3
    history = SuggestionHistory.learned_from(examples)
    # When a request says only "試作" (and "部品")
    # Then nothing is suggested: those words make no capability likelier than another
    assert suggested("部品の試作", taxonomy, history) == []


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(max_size=60),
    past=st.lists(
        st.tuples(
            st.text(max_size=30),
            st.sampled_from([["material.aluminium"], ["finish.blasting", "process.machining"]]),
        ),
        max_size=6,
    ),
)
def test_any_text_gets_known_capabilities_most_specific_only_with_scores_it_passed(
    taxonomy, text, past
):
    # Given any text, and any history
    history = SuggestionHistory.learned_from(past)
    # When capabilities are suggested for it
    suggestions = capability_suggestions(text, taxonomy, history=history)
    codes = [suggestion.code for suggestion in suggestions]
    # Then each is a capability of the taxonomy, once, never beside one of its descendants,
    # scored between the threshold and 1
    assert set(codes) <= {capability.code for capability in taxonomy}
    assert len(codes) == len(set(codes))
    assert not any(other.startswith(f"{code}.") for code in codes for other in codes)
    assert all(0.5 <= suggestion.score <= 1 for suggestion in suggestions)
