"""Peer ranking and CI-based significance: hand-made cases and ONS's published intervals."""

from __future__ import annotations

import pandas as pd
import pytest

from wmresearch.evidence.area import resolve_area
from wmresearch.evidence.geography import get_la_codes
from wmresearch.evidence.indicators import INDICATORS, get_indicator
from wmresearch.evidence.population import get_population_mye2021
from wmresearch.region.peers import (
    HIGHER,
    LOWER,
    NO_INTERVAL,
    SAME,
    area_among_peers,
    ci_significance,
    ordinal,
    peer_table,
    rank_best_first,
    rank_of,
)


@pytest.mark.parametrize(("limits", "expected"), [
    ((5.0, 6.0, 1.0, 4.0), HIGHER),        # disjoint, above
    ((1.0, 2.0, 3.0, 4.0), LOWER),         # disjoint, below
    ((1.0, 3.5, 3.0, 4.0), SAME),          # overlapping
    ((1.0, 3.0, 3.0, 4.0), SAME),          # touching is overlap
    ((1.0, None, 3.0, 4.0), NO_INTERVAL),
    ((1.0, 2.0, float("nan"), 4.0), NO_INTERVAL),
    ((1.0, 2.0, pd.NA, 4.0), NO_INTERVAL),
])
def test_ci_significance_hand_cases(limits, expected):
    assert ci_significance(*limits) == expected


def test_ci_significance_rejects_inverted_interval():
    with pytest.raises(ValueError, match="lower limit above upper"):
        ci_significance(3.0, 1.0, 0.0, 0.5)


def test_rank_ties_share_the_best_rank_and_respect_direction():
    values = pd.Series([70.5, 70.5, 69.0, None])
    assert rank_best_first(values, True).tolist() == [1, 1, 3, pd.NA]
    assert rank_best_first(values, False).tolist() == [2, 2, 1, pd.NA]


@pytest.mark.parametrize(("n", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"),
                                         (11, "11th"), (12, "12th"), (13, "13th"),
                                         (21, "21st"), (22, "22nd"), (111, "111th")])
def test_ordinal(n, text):
    assert ordinal(n) == text


@pytest.fixture(scope="module")
def els(mirror):
    ids = ["employment_rate", "claimant_count_rate"]
    return pd.concat([get_indicator(i, mirror / INDICATORS[i].relpath).data for i in ids],
                     ignore_index=True)


def test_employment_rate_peers_2023(els):
    peers = peer_table(els, "employment_rate", year=2023, highlight="E47000007")
    assert peers["areacd"].str.startswith("E47").all() and peers["areacd"].is_unique
    # Competition ranking: each rank is 1 + the number of strictly better areas.
    better = [(peers["value"] > v).sum() + 1 for v in peers["value"]]
    assert peers["rank"].tolist() == better
    # ONS APS (16/04/2024), 2023: West Midlands CA 70.5% (68.8-72.2), the lowest of the
    # published combined authorities; UK 75.7% (75.4-76.0): the intervals do not overlap.
    wm = peers.set_index("areacd").loc["E47000007"]
    assert wm["highlight"] and wm["rank"] == wm["of"] == len(peers)
    assert wm["significance"] == LOWER and wm["comparator_label"] == "United Kingdom"
    assert rank_of(peers, "E47000007") == f"{len(peers)}th of {len(peers)}"
    # Cambridgeshire and Peterborough and York and North Yorkshire both 79.4%: tied first.
    tied = peers.set_index("areacd").loc[["E47000008", "E47000012"], "rank"]
    assert tied.tolist() == [1, 1] and 2 not in peers["rank"].tolist()
    # Hull and East Yorkshire 75.4% (72.3-78.5) overlaps the UK interval.
    assert peers.set_index("areacd").loc["E47000016", "significance"] == SAME


def test_no_interval_published_for_claimant_count(els):
    peers = peer_table(els, "claimant_count_rate")
    assert set(peers["significance"]) == {NO_INTERVAL}
    assert rank_of(peers, "E08000025").startswith("not ranked")


def test_unknown_indicator_raises(els):
    with pytest.raises(KeyError, match="gva_per_hour"):
        peer_table(els, "gva_per_hour")


def test_a_union_of_regions_is_ranked_among_the_other_regions(els, mirror):
    lookup = get_la_codes(mirror / "geography/la_all_codes.csv.gz",
                          mirror / "geography/cauth_all_codes.csv.gz").data
    population = get_population_mye2021(mirror / "nomis/nomis_NM_2002_mye2021_lad.csv").data
    engine = resolve_area("midlands_engine", lookup)
    peers = area_among_peers(els, "employment_rate", engine, year=2023, population=population)
    # regions against regions: its two member regions leave, the union joins (9 - 2 + 1)
    assert set(peers["areacd"]) == {"E12000001", "E12000002", "E12000003", "E12000006",
                                    "E12000007", "E12000008", "E12000009", "midlands_engine"}
    own = peers.set_index("areacd").loc["midlands_engine"]
    assert own["highlight"] and own["of"] == 8 and pd.isna(own["lci_95"])
    # aggregated from its 65 districts, it lies inside ONS's published 95% intervals for both
    # member regions (APS 2023: East Midlands 75.5%, 74.3-76.7; West Midlands 75.2%,
    # 74.1-76.3), an estimate independent of the district figures
    assert 74.3 <= own["value"] <= 76.3

