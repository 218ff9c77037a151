"""Capability suggestions learned from a network's settled requests, on the form and the API."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from brokerage.capability_suggestions import network_history, settled_request_examples
from orders.models import RFQ
from tests.kit.factories import RFQFactory, RFQRequirementFactory, SubmittedRFQFactory
from tests.kit.steps import as_user, checked_values, client_for, request_form_data
from tests.kit.worlds import kyoto_world, taxonomy_capabilities

pytestmark = pytest.mark.django_db

TAXONOMY = (
    "process.machining",
    "process.machining.milling",
    "process.machining.turning",
    "material.aluminium",
    "material.stainless",
    "material.carbon_steel",
    "material.resin.pc",
    "finish.blasting",
)


@pytest.fixture
def world():
    world = kyoto_world()
    world.capabilities = taxonomy_capabilities(*TAXONOMY)
    return world


def settled(world, title: str, codes: list[str], times: int = 1, **fields) -> None:
    """Record requests of the network whose office settled on these capabilities."""
    status = fields.pop("status", RFQ.Status.ROUTED)
    factory = RFQFactory if status == RFQ.Status.DRAFT else SubmittedRFQFactory
    for _ in range(times):
        rfq = factory(
            network=world.network, title=title, description=title, status=status, **fields
        )
        for code in codes:
            RFQRequirementFactory(rfq=rfq, capability=world.capabilities[code])


def suggest_url(world) -> str:
    return reverse("network-capability-suggestions", args=[world.network.slug])


def test_history_is_learned_from_settled_requests_only(world):
    # Given a settled request, a confidential one, one still waiting and a draft
    settled(world, "アルミ削り出しブラケット", ["process.machining.milling"])
    settled(world, "秘密の治具", ["material.stainless"], confidential=True)
    settled(world, "まだ未確認", ["material.aluminium"], status=RFQ.Status.SUBMITTED)
    settled(world, "下書き", ["material.aluminium"], status=RFQ.Status.DRAFT)
    # When the network's examples are read
    examples = settled_request_examples(world.network.pk)
    # Then only the settled, open one teaches: its text and what the office chose
    assert examples == [
        ("アルミ削り出しブラケット\nアルミ削り出しブラケット", ["process.machining.milling"])
    ]


def test_the_request_form_suggests_what_the_office_chose_for_the_same_words(world):
    # Given a network whose office settled "ブラケット" requests on milling and aluminium
    settled(world, "ブラケットの試作", ["process.machining.milling", "material.aluminium"], times=4)
    settled(world, "シャフトの試作", ["process.machining.turning", "material.stainless"], times=4)
    data = request_form_data(
        {}, title="ブラケット", description="ブラケット3個", material="", suggest="1"
    )
    # When a customer asks the form for suggestions
    response = client_for(world.customer).post(
        reverse("pages:submit", args=[world.network.slug]), data
    )
    # Then milling and aluminium are ticked though the text names neither
    assert sorted(checked_values(response, "requirements")) == [
        "material.aluminium",
        "process.machining.milling",
    ]


def test_the_office_key_in_suggests_from_the_chosen_networks_history(world):
    # Given the office's network, whose "ピン" requests were settled on turning (a word
    # the taxonomy does not know)
    settled(world, "ピンの試作", ["process.machining.turning"], times=4)
    settled(world, "ブラケットの試作", ["process.machining.milling"], times=4)
    data = {
        **request_form_data({}, title="ピン", description="FAXの依頼", material=""),
        "for-network": str(world.network.pk),
        "suggest": "1",
    }
    # When the office asks the key-in form for suggestions
    response = client_for(world.office_user).post(reverse("pages:key-in"), data)
    # Then turning is ticked, from that network's history
    assert checked_values(response, "requirements") == ["process.machining.turning"]


def test_the_history_is_kept_per_network_and_learned_again_when_it_expires(world, settings):
    # Given a network's history, learned once
    settled(world, "ブラケットの試作", ["process.machining.milling"], times=2)
    settled(world, "シャフトの試作", ["process.machining.turning"], times=2)
    assert len(network_history(world.network.pk).requests) == 4
    # When more requests are settled
    settled(world, "ブラケットの試作", ["process.machining.milling"], times=2)
    # Then the kept history answers until it expires, and the new one counts them
    assert len(network_history(world.network.pk).requests) == 4
    cache.clear()
    assert len(network_history(world.network.pk).requests) == 6


def test_the_api_suggests_from_the_reported_text_with_names_in_the_callers_language(world):
    # Given the reported request's text
    body = {
        "title": "Sensor flange",
        "description": "Stainless steel flange, bead blasting finish, 4 pcs.",
    }
    # When anyone asks the API for suggestions (in English)
    response = APIClient().post(suggest_url(world), body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    # Then stainless steel and blasting come back with their names and scores, nothing else
    assert response.status_code == 200
    assert sorted(
        (item["capability"], item["name"], item["score"]) for item in response.json()
    ) == [
        ("finish.blasting", "Blasting", 1.0),
        ("material.stainless", "Stainless steel", 1.0),
    ]


def test_the_api_reads_japanese_and_answers_in_japanese(world):
    # Given a Japanese request's text
    body = {"title": "フランジ", "description": "ステンレスの切削加工、ビードブラスト仕上げ、4個"}
    # When a customer asks in Japanese
    response = as_user(world.customer).post(
        suggest_url(world), body, format="json", HTTP_ACCEPT_LANGUAGE="ja"
    )
    # Then stainless, machining and blasting are suggested, named in Japanese
    assert response.status_code == 200
    assert sorted(item["name"] for item in response.json()) == sorted(
        ["ステンレス鋼", "機械加工", "ブラスト処理"]
    )


def test_the_api_refuses_a_text_too_long_and_an_unknown_network(world):
    # Given a description longer than a request's may be
    too_long = {"title": "x", "description": "あ" * 20_001}
    # When it is sent, and when a network that does not exist is asked
    refused = APIClient().post(suggest_url(world), too_long, format="json")
    missing = APIClient().post(
        reverse("network-capability-suggestions", args=["no-such-network"]),
        {"title": "x"},
        format="json",
    )
    # Then the first is a 400 naming the field, the second a 404
    assert refused.status_code == 400
    assert "description" in refused.json()
    assert missing.status_code == 404
