"""Co-location science: where industries concentrate and which co-locate."""

from wmresearch.colocation.lq import location_quotients, region_lq_table

__all__ = ["location_quotients", "region_lq_table"]
