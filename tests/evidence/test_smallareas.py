"""Small-area geography getters: OA lookup, centroids, MSOA->LAD, postcode districts,
WM7 boundaries. Real files are checked against independent csv/gzip/json reads."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import geopandas as gpd
import pytest

from wmresearch.evidence import smallareas as sa

WM7 = ["E08000025", "E08000026", "E08000027", "E08000028", "E08000029", "E08000030",
       "E08000031"]
OA_FILE = "geography/oa11_lsoa11_msoa11_lad17_rgn_lookup.csv.gz"
LSOA_LL = "geography/lsoa_latlong.csv.gz"
MSOA_LL = "geography/msoa_latlong.csv.gz"
MSOA_LA = "geography/msoa_la.csv.gz"
POSTCODES = "geography/postcode_districts.csv"
BOUNDARIES = "geography/wm7_boundaries"
IMD_FILE1 = "mhclg/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"

# --------------------------------------------------------------------------- independent reads

def _need(mirror: Path, rel: str) -> Path:
    path = mirror / rel
    if not path.exists():
        pytest.skip(f"{rel} is not in the mirror {mirror}")
    return path


def _dict_rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def _coords(geometry: dict) -> list[list[float]]:
    rings = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        rings = [rings]
    return [pt for polygon in rings for ring in polygon for pt in ring]


# --------------------------------------------------------------------------- real files

@pytest.fixture(scope="module")
def oa_raw(mirror):
    return _dict_rows(_need(mirror, OA_FILE))


@pytest.fixture(scope="module")
def oa(mirror):
    return sa.get_oa_lookup(_need(mirror, OA_FILE))


@pytest.fixture(scope="module")
def centroids(mirror, oa):
    codes = set(oa.data["lsoa11_code"]) | set(oa.data["msoa11_code"])
    return sa.get_centroids(_need(mirror, LSOA_LL), _need(mirror, MSOA_LL), codes_2011=codes)


@pytest.fixture(scope="module")
def boundary_dir(mirror):
    return _need(mirror, BOUNDARIES)


@pytest.fixture(scope="module")
def boundaries(boundary_dir):
    return sa.get_small_area_boundaries(sorted(boundary_dir.glob("*/E08*.geojson")))


def test_oa_lookup_keeps_every_output_area(oa, oa_raw):
    assert len(oa_raw) == 227_759
    assert oa.rows_in == len(oa_raw) == oa.rows_kept + oa.rows_rejected
    assert oa.rows_rejected == 0
    assert set(oa.data["oa11_code"]) == {r["OA11CD"] for r in oa_raw}


def test_oa_lookup_row_matches_the_raw_line(oa, oa_raw):
    raw = next(r for r in oa_raw if r["LAD17CD"] == "E08000025")  # first Birmingham OA
    got = oa.data.set_index("oa11_code").loc[raw["OA11CD"]]
    assert got["lsoa11_code"] == raw["LSOA11CD"] and got["msoa11_code"] == raw["MSOA11CD"]
    assert got["lad17_name"] == "Birmingham" and got["region_code"] == "E12000005"
    assert got["oac11_code"] == raw["OAC11CD"] and got["oac11_name"] == raw["OAC11NM"]


def test_lsoa_lookup_has_one_row_per_lsoa(oa, oa_raw):
    lsoas = sa.lsoa_lookup(oa.data)
    assert len(lsoas) == len({r["LSOA11CD"] for r in oa_raw})
    assert int(lsoas["n_oa"].sum()) == len(oa_raw)


def test_wmca_lsoa_count_agrees_with_boundaries_and_imd(oa, boundaries, boundary_dir,
                                                         mirror):
    from_lookup = set(sa.lsoa_lookup(oa.data).query("lad17_code in @WM7")["lsoa11_code"])
    from_geojson = [f["properties"]["LSOA11CD"] for lad in WM7
                    for f in _features(boundary_dir / "lsoa11" / f"{lad}.geojson")]
    from_imd = {r["LSOA code (2011)"] for r in _dict_rows(_need(mirror, IMD_FILE1))
                if r["Local Authority District code (2019)"] in WM7}
    assert len(from_lookup) == len(from_geojson) == len(from_imd)
    assert from_lookup == set(from_geojson) == from_imd
    assert set(boundaries["lsoa11_boundaries"].data["area_code"]) == from_imd


def test_centroid_rows_match_the_files(centroids, mirror):
    lsoa = _dict_rows(_need(mirror, LSOA_LL))
    msoa = _dict_rows(_need(mirror, MSOA_LL))
    assert centroids.rows_in == len(lsoa) + len(msoa)
    assert centroids.rows_in == centroids.rows_kept + centroids.rows_rejected
    assert centroids.rows_rejected == 0
    raw = next(r for r in lsoa if r["LSOACD"] == "E01009100")
    got = centroids.data.query("area_type == 'lsoa' and area_code == 'E01009100'").iloc[0]
    assert got["latitude"] == float(raw["latitude"])
    assert got["longitude"] == float(raw["longitude"])


def test_area_code_2011_is_null_for_2021_only_areas(centroids, oa_raw):
    gb_lsoa = centroids.data.query("area_type == 'lsoa' and country_code != 'N92000002'")
    assert gb_lsoa["area_code_2011"].notna().sum() == len({r["LSOA11CD"] for r in oa_raw})
    ni_2021 = centroids.data["area_code"].str.match(r"N2[01]")
    assert ni_2021.sum() > 0 and centroids.data.loc[ni_2021, "area_code_2011"].isna().all()


def test_birmingham_centroids_lie_in_birmingham(centroids, boundaries, boundary_dir):
    features = _features(boundary_dir / "lsoa11" / "E08000025.geojson")
    points = [pt for f in features for pt in _coords(f["geometry"])]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    codes = {f["properties"]["LSOA11CD"] for f in features}
    got = centroids.data[(centroids.data["area_type"] == "lsoa")
                         & centroids.data["area_code"].isin(codes)]
    assert len(got) == len(codes)
    assert got["latitude"].between(min(lats), max(lats)).all()
    assert got["longitude"].between(min(lons), max(lons)).all()
    # projected centroids fall in (or, generalised boundaries, within 200 m of) their LSOA
    polys = boundaries["lsoa11_boundaries"].data.set_index("area_code").loc[got["area_code"]]
    pts = gpd.GeoSeries(gpd.points_from_xy(got["easting"].astype(float),
                                           got["northing"].astype(float)),
                        index=polys.index, crs="EPSG:27700")
    distance = polys.geometry.distance(pts)
    assert (distance < 200).all() and (distance == 0).mean() > 0.95


def test_msoa_lad_lookup_matches_file_and_wm7_boundaries(mirror, boundary_dir):
    raw = _dict_rows(_need(mirror, MSOA_LA))
    cleaned = sa.get_msoa_lad_lookup(_need(mirror, MSOA_LA))
    assert cleaned.rows_in == len(raw) == cleaned.rows_kept + cleaned.rows_rejected
    wmca = cleaned.data[cleaned.data["cauth_code"] == "E47000007"]
    geojson = {f["properties"]["MSOA11CD"] for lad in WM7
               for f in _features(boundary_dir / "msoa11" / f"{lad}.geojson")}
    assert set(wmca["msoa11_code"].dropna()) == geojson
    assert set(wmca["lad_code"]) == set(WM7)
    first = raw[0]
    row = cleaned.data.set_index("msoa_code").loc[first["MSOACD"]]
    assert row["lad_code"] == first["LADCD_ACTIVE"] and row["msoa_name"] == first["MSOANM"]


def test_postcode_districts_b1_and_accounting(mirror):
    raw = _dict_rows(_need(mirror, POSTCODES))
    cleaned = sa.get_postcode_districts(_need(mirror, POSTCODES))
    assert cleaned.rows_in == len(raw) == cleaned.rows_kept + cleaned.rows_rejected
    no_coords = {r["Postcode"] for r in raw if not r["Latitude"] or not r["Longitude"]}
    assert set(cleaned.rejects["Postcode"]) == no_coords
    assert cleaned.rejects["reason"].str.contains("missing latitude/longitude").all()
    b1 = cleaned.data.set_index("postcode_district").loc["B1"]
    assert b1["latitude"] == pytest.approx(52.48, abs=0.02)
    assert b1["longitude"] == pytest.approx(-1.90, abs=0.03)
    assert b1["lad_name_listed"] == "Birmingham" and bool(b1["active"])
    inactive = {r["Postcode"] for r in raw if r["Active postcodes"] == "0"} - no_coords
    flagged = cleaned.data["active"].eq(False).fillna(False).astype(bool)
    assert set(cleaned.data.loc[flagged, "postcode_district"]) == inactive


def test_boundaries_count_every_feature(boundaries, boundary_dir):
    assert set(boundaries) == {"lsoa11_boundaries", "msoa11_boundaries", "ward_boundaries"}
    for level in ("lsoa11", "msoa11", "ward"):
        cleaned = boundaries[f"{level}_boundaries"]
        n = sum(len(_features(p)) for p in (boundary_dir / level).glob("E08*.geojson"))
        assert cleaned.rows_in == n == cleaned.rows_kept + cleaned.rows_rejected
        assert cleaned.data.crs.to_epsg() == 27700
        assert set(cleaned.data["lad_code"]) == set(WM7)
    birmingham_wards = _features(boundary_dir / "ward" / "E08000025.geojson")
    wards = boundaries["ward_boundaries"].data
    assert (wards["lad_code"] == "E08000025").sum() == len(birmingham_wards)


def test_misplaced_msoa_centroids_in_the_file_are_rejected(mirror, oa):
    """The mirror's msoa_latlong puts some 2011 MSOAs far from their own LSOAs: Birmingham
    028 (E02001854) at latitude 54.26, near Lancaster. The ONS lookup places these four in
    WMCA districts, whose LSOA centroids all lie between latitudes 52.3 and 52.8."""
    cleaned = sa.get_centroids(_need(mirror, LSOA_LL), _need(mirror, MSOA_LL),
                               lsoa_to_msoa=oa.data)
    assert cleaned.rows_in == cleaned.rows_kept + cleaned.rows_rejected
    misplaced = cleaned.rejects[cleaned.rejects["reason"].str.contains("LSOAs' centroids")]
    wm = ["E02001854", "E02001864", "E02002068", "E02006901"]
    assert set(wm) <= set(misplaced["area_code"])
    points = sa.msoa11_points(cleaned.data, oa.data, wm)
    lsoas = cleaned.data[cleaned.data["area_type"] == "lsoa"]
    lat = lsoas.set_index("area_code")["latitude"]
    wm_lsoas = oa.data.loc[oa.data["msoa11_code"].isin(wm), "lsoa11_code"]
    assert lat.reindex(wm_lsoas).between(52.3, 52.8).all()
    assert points["derived"].all()
    # British National Grid box of the West Midlands metropolitan county
    assert points["easting"].between(380_000, 440_000).all()
    assert points["northing"].between(260_000, 310_000).all()
