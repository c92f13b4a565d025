"""The methods-and-glossary appendix and the numbered reference list of a report.

:func:`glossary` shows, in plain English, the terms a page uses (a notebook calls it at its
end with the keys of :data:`TERMS` it needs); a page that does not call it still gets the
whole glossary, collapsed, in its footer (:func:`glossary_html`, added by the renderer).
:func:`references` shows the sources a page cites as "[n]", numbered as cited; the renderer
then links every "[n]" in the page to its entry.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from IPython.display import HTML, display

#: key -> (term, what it means in plain English). Order is the order of the appendix.
TERMS: dict[str, tuple[str, str]] = {
    "gva": ("Gross value added (GVA)",
            "The value of the goods and services an area produces, less what it bought in to "
            "make them: the area's contribution to national output."),
    "output_gap": ("Output gap",
                   "How much larger the economy would be if it produced as much per hour "
                   "worked as the UK: GVA × (100 ÷ productivity as % of the UK − 1)."),
    "lq": ("Location quotient (LQ)",
           "An industry's share of the area's jobs divided by its share of national jobs. "
           "Above 1, the area is more specialised in that industry than the country."),
    "shift_share": ("Shift-share analysis",
                    "Splits an area's job growth into what national growth, the area's "
                    "industry mix and its local performance would each explain."),
    "ellison_glaeser": ("Ellison-Glaeser index",
                        "How much more an industry's jobs are concentrated in a few places "
                        "than chance would produce, given how large its firms are (0 = no "
                        "more than chance)."),
    "coagglomeration": ("Co-agglomeration",
                        "Whether two industries tend to be found in the same places, beyond "
                        "what their separate concentrations would produce."),
    "k_density": ("K-density",
                  "The distribution of distances between pairs of firms in an industry, "
                  "compared with random locations: more close pairs than chance means the "
                  "industry is clustered at that distance."),
    "synthetic_control": ("Synthetic control",
                          "Builds a comparison area as a weighted mix of untreated areas that "
                          "tracked the treated area before a policy; the gap afterwards is the "
                          "estimated effect."),
    "did": ("Difference in differences (DiD)",
            "Compares the change in an outcome for treated areas or firms with the change "
            "for a comparison group over the same years, so shared trends cancel out."),
    "staggered_did": ("Staggered difference in differences",
                      "Difference in differences when units start treatment in different "
                      "years: each starting group is compared only with units not yet "
                      "treated, then the effects are averaged (Callaway and Sant'Anna)."),
    "mde": ("Minimum detectable effect (MDE)",
            "The smallest true effect a design would find with 80% probability at the 5% "
            "significance level. \"Not detectable\" means an effect smaller than this cannot "
            "be told apart from noise; it does not mean there was no effect."),
    "sms": ("Maryland Scientific Methods Scale (SMS) levels",
            "How strongly a design supports a causal claim, from 1 (a before-and-after or "
            "cross-section comparison) to 5 (a randomised trial). Level 3 needs a credible "
            "comparison group observed before and after; What Works Growth treats level 3 as "
            "the minimum for evidence of impact."),
    "confidence_interval": ("Confidence interval",
                            "The range within which the true value lies with 95% confidence "
                            "given sampling error. Two areas differ significantly when their "
                            "intervals do not overlap."),
    "conformal_interval": ("Conformal interval",
                           "A range for an effect built from how well the method fits "
                           "periods or areas where there was no policy, so it needs no "
                           "assumption about the shape of the errors."),
    "wild_bootstrap": ("Wild bootstrap",
                       "Recomputes an estimate many times with the residuals of each area "
                       "randomly flipped in sign, to get standard errors that stay honest "
                       "when there are few areas."),
    "lsoa": ("LSOA and MSOA",
             "Small statistical neighbourhoods of about 1,500 (LSOA) and 7,500 (MSOA) "
             "residents, used to publish local figures."),
    "imd": ("Index of Multiple Deprivation (IMD)",
            "England's official measure of relative deprivation of neighbourhoods, combining "
            "income, employment, education, health, crime, housing and environment. "
            "Decile 1 is the most deprived tenth of neighbourhoods in England."),
}
#: Sources a reader can treat as official publications (government, public bodies,
#: universities, legislation); anything else is marked as a secondary source.
OFFICIAL = re.compile(
    r"gov\.uk|\bWMCA\b|wmca\.org\.uk|\bHMT\b|\bONS\b|\bMHCLG\b|\bPQ\b|\bSI \d|Cabinet|\bCC\b|"
    r"[Cc]ouncil|ukri\.org|nao\.org\.uk|ERDF|Green Book|Additionality|\bEES\b|"
    r"Investment Plan|\.ac\.uk|[Ee]valuation|statement", re.UNICODE)
_ENTRY = re.compile(r"^\s*\[(\d+)\]\s*(.+?)\s*$", re.S)


def _heading(text: str, anchor: str) -> str:
    # the anchor link makes the renderer list the heading in the page's contents
    return (f'<h2 id="{anchor}">{html.escape(text)}<a class="anchor-link" '
            f'href="#{anchor}">¶</a></h2>')


def glossary_html(terms: Sequence[str] | None = None) -> str:
    """The definitions of ``terms`` (keys of :data:`TERMS`; default all) as an HTML list.

    Raises
    ------
    KeyError
        A term that is not in :data:`TERMS`, naming the known ones.
    """
    keys = list(TERMS) if terms is None else list(terms)
    unknown = [k for k in keys if k not in TERMS]
    if unknown:
        raise KeyError(f"glossary terms {unknown} are not defined (known: {sorted(TERMS)})")
    items = "".join(f"<dt>{html.escape(TERMS[k][0])}</dt><dd>{html.escape(TERMS[k][1])}</dd>"
                    for k in keys)
    return f'<dl class="wm-glossary-terms">{items}</dl>'


def glossary(terms: Sequence[str]) -> None:
    """Show the page's methods-and-glossary appendix: each of ``terms`` in plain English."""
    display(HTML(f'<section class="wm-glossary">{_heading("Methods and glossary", "glossary")}'
                 f"{glossary_html(terms)}</section>"))


def parse_references(entries: Iterable[str]) -> dict[int, str]:
    """``["[2] gov.uk, ...", ...]`` -> ``{2: "gov.uk, ..."}``, in number order.

    Raises
    ------
    ValueError
        An entry that does not start with "[n]", or a number given twice.
    """
    found: dict[int, str] = {}
    for position, entry in enumerate(entries, start=1):
        match = _ENTRY.match(str(entry))
        if match is None:
            raise ValueError(f"reference {position} ({entry!r}) does not start with '[n]'")
        number = int(match.group(1))
        if number in found:
            raise ValueError(f"reference [{number}] is given twice")
        found[number] = match.group(2)
    return dict(sorted(found.items()))


def references_html(entries: Iterable[str]) -> str:
    """The numbered reference list (HTML): entry n has the anchor ``ref-n``; sources that
    are not official publications say so."""
    items = []
    for number, text in parse_references(entries).items():
        kind = "" if OFFICIAL.search(text) else \
            ' <em class="wm-secondary">(secondary source: press, trade or web page)</em>'
        items.append(f'<li id="ref-{number}" value="{number}">{html.escape(text)}{kind}</li>')
    return f'<ol class="wm-references">{"".join(items)}</ol>'


def references(entries: Iterable[str]) -> None:
    """Show the page's reference list from entries written "[n] publication, date"."""
    display(HTML(f'<section class="wm-references-list">{_heading("References", "references")}'
                 f"{references_html(entries)}</section>"))
