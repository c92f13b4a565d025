"""Co-location science: where industries concentrate and which co-locate.

One module per statistic, imported from its module so that a stage depends only on the
statistics it uses: :mod:`~wmresearch.colocation.lq` (location quotients),
:mod:`~wmresearch.colocation.shift_share`, :mod:`~wmresearch.colocation.concentration`
(Ellison-Glaeser), :mod:`~wmresearch.colocation.coagglomeration` (Ellison-Glaeser-Kerr),
:mod:`~wmresearch.colocation.kdensity` (Duranton-Overman), and the cluster definitions.
"""
