"""`manage.py replay_year`: progress while it runs, the studies' figures after, never twice."""

import dataclasses
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from demo.loader import demo_load
from demo.replay.figures import Comparison
from demo.replay.shapes import SHAPES, StudyFigure

pytestmark = pytest.mark.django_db

SMALL = ["--scale", "0.05", "--until", "2026-04-01", "--seed", "3"]


def replay(*args) -> str:
    out = io.StringIO()
    call_command("replay_year", *args, stdout=out)
    return out.getvalue()


def test_the_command_shows_progress_and_the_studys_figures_and_never_replays_twice():
    # Given the demo networks
    demo_load()
    # When a twentieth of Kyoto's year is replayed
    output = replay("--network", "kyoto-shisaku-net", *SMALL)
    # Then it reported its progress as it went, what it did, and the study's figures
    progress = [line for line in output.splitlines() if line.startswith("kyoto-shisaku-net  ")]
    assert len(progress) >= 5
    assert "kyoto-shisaku-net: replayed 2025-04-01 to 2026-04-01 (seed 3)" in output
    assert "Requests a year" in output
    # And replaying the network again is refused, or skipped with --if-empty
    with pytest.raises(CommandError, match="replayed in this database already"):
        replay("--network", "kyoto-shisaku-net", *SMALL)
    skipped = replay("--network", "kyoto-shisaku-net", "--if-empty", *SMALL)
    assert "replayed already, skipped" in skipped


def test_check_fails_when_a_figure_is_outside_the_studys_range(monkeypatch):
    # Given the demo networks, and a study that no replay can satisfy
    demo_load()
    shape = SHAPES["kyoto-shisaku-net"]
    impossible = StudyFigure("requests", "Requests a year", "none at all", 0, 0)
    monkeypatch.setitem(SHAPES, shape.slug, dataclasses.replace(shape, study=(impossible,)))
    # When the network is replayed with --check, the command fails and says why
    with pytest.raises(CommandError, match=r"Outside the studies' ranges: .*Requests a year"):
        replay("--network", "kyoto-shisaku-net", "--check", *SMALL)
    # And an unknown network is refused before anything runs
    with pytest.raises(CommandError, match="load the demo first"):
        replay("--network", "nowhere", *SMALL)


def test_a_fraction_of_the_year_shrinks_volumes_but_not_ratios():
    # Given a volume and a ratio of a study, with a fifth of the year replayed
    volume = StudyFigure("commercialized", "Commercialized", "about 250", 200, 300, scales=True)
    ratio = StudyFigure("conversion", "Signed", "about 20%", 0.15, 0.25)
    # Then the volume's range shrinks to a fifth and the ratio's stays
    assert Comparison(figure=volume, value=50, scale=0.2).within
    assert not Comparison(figure=volume, value=250, scale=0.2).within
    assert Comparison(figure=ratio, value=0.2, scale=0.2).within
    assert not Comparison(figure=ratio, value=0.05, scale=0.2).within


def test_rodan21s_replay_reports_each_promise_and_keeps_most_of_them():
    # Given the demo networks
    demo_load()
    # When a twentieth of Rodan21's year is replayed
    output = replay("--network", "rodan21", *SMALL)
    # Then it reports the interview, the planning meeting and the estimate, each kept
    # on time more often than not
    stages = {line.split()[1]: line for line in output.splitlines() if line.startswith("  stage ")}
    assert list(stages) == ["interview", "planning", "estimate"], output
    for line in stages.values():
        share = line.split(": ")[1].split("%")[0]
        assert share != "-" and int(share) >= 50, line
