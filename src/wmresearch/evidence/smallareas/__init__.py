"""Small-area geography: output areas, LSOAs, MSOAs, wards, centroids and postcode districts.

Sources
-------
ONS Open Geography Portal (https://geoportal.statistics.gov.uk), Crown copyright, OGL v3:

* OA (2011) to LSOA, MSOA, LAD (2017) and region lookup for Great Britain, with the 2011
  Area Classification of output areas (``oa11_lsoa11_msoa11_lad17_rgn_lookup.csv.gz``);
* population-weighted centroids of LSOAs and MSOAs (``lsoa_latlong.csv.gz``,
  ``msoa_latlong.csv.gz``), WGS84 latitude/longitude;
* MSOA (2011 and 2021) to active LAD lookup (``msoa_la.csv.gz``);
* generalised clipped LSOA 2011, MSOA 2011 and ward boundaries for the seven West Midlands
  metropolitan districts (``wm7_boundaries/{lsoa11,msoa11,ward}/E0800002x.geojson``);
* postcode district (outcode) centroids derived from the ONS Postcode Directory and OS
  Code-Point Open (``postcode_districts.csv``).

Modules, by what an economist looks for
---------------------------------------
:mod:`~.lookups`
    OA -> LSOA -> MSOA -> LAD (2017) lookup, one row per LSOA, MSOA -> active LAD.
:mod:`~.centroids`
    Population-weighted centroids, WGS84 -> British National Grid.
:mod:`~.boundaries`
    LSOA, MSOA and ward boundaries (EPSG:27700).
:mod:`~.postcodes`
    Postcode district centroids and counts.
:mod:`~.common`
    Code patterns, the UK coordinate box and the row-rejection helpers they share.

Quirks handled (see each getter): the OA lookup starts with a byte-order mark; the centroid
files mix 2011 and 2021 codes with Scottish data zones and Northern Irish small areas, and
their ``lsoa11cd``/``msoa11cd`` column merely repeats the area code (also for areas created
in 2021); ``msoa_la`` has an empty ``LAD17CD`` column; the postcode-district ``Region`` column
holds a local-authority (or county) *name*, not a region.
"""

from wmresearch.evidence.smallareas.boundaries import (
    LEVELS,
    SCHEMA_BOUNDARIES,
    boundaries_schema,
    get_small_area_boundaries,
)
from wmresearch.evidence.smallareas.centroids import (
    SCHEMA_CENTROIDS,
    get_centroids,
    msoa11_points,
    to_british_national_grid,
)
from wmresearch.evidence.smallareas.common import GRID_TOLERANCE_M, LAT_RANGE, LON_RANGE
from wmresearch.evidence.smallareas.lookups import (
    SCHEMA_LSOA_LOOKUP,
    SCHEMA_MSOA_LAD,
    SCHEMA_OA_LOOKUP,
    get_msoa_lad_lookup,
    get_oa_lookup,
    lsoa_lookup,
)
from wmresearch.evidence.smallareas.postcodes import (
    SCHEMA_POSTCODE_DISTRICTS,
    get_postcode_districts,
)

__all__ = [
    "GRID_TOLERANCE_M", "LAT_RANGE", "LEVELS", "LON_RANGE", "SCHEMA_BOUNDARIES",
    "SCHEMA_CENTROIDS", "SCHEMA_LSOA_LOOKUP", "SCHEMA_MSOA_LAD", "SCHEMA_OA_LOOKUP",
    "SCHEMA_POSTCODE_DISTRICTS", "boundaries_schema", "get_centroids", "get_msoa_lad_lookup",
    "msoa11_points",
    "get_oa_lookup", "get_postcode_districts", "get_small_area_boundaries", "lsoa_lookup",
    "to_british_national_grid",
]
