"""The person-level monitoring return: participants of a training or employment programme.

The firm return of :mod:`wmresearch.evaluation.monitoring` has a twin for programmes whose
beneficiaries are people (a skills bootcamp's learners; the residents taking part in a
ward-based employment programme). The same reader, template writer and data dictionary serve
both (``unit="person"``):

* ``participants``: one row per person who started (pseudonymised identifier, start date,
  completion, course or intake, district of residence);
* ``outcomes``: one row per person and year (employed, earnings; age and qualification level
  for matching), before and after the start, linked by the evaluator from administrative data
  (DfE-HMRC-DWP Longitudinal Education Outcomes, or DWP benefit and employment records).

Personal data stay with the programme team: a column named like a name, National Insurance
number, date of birth, address, postcode, email or telephone is refused, an identifier that
looks like a National Insurance number or a date or holds a space is refused, and the reader
never repeats an identifier in its messages. Age is asked in whole years per year of the
panel, never as a date of birth. The comparison group (non-participants, for a single intake)
comes in a separate CSV in the ``outcomes`` columns
(:func:`~wmresearch.evaluation.monitoring.read_comparison_outcomes` with ``unit="person"``).

Tables made from these data for a report must not show a cell of fewer than 10 people; the
notebooks apply the reporting layer's disclosure control
(:mod:`wmresearch.reporting.disclosure`) before showing them.
"""

from __future__ import annotations

from wmresearch.evaluation.monitoring import Column, ReturnSchema

#: Completion status of a participant on the date of the return.
COMPLETION = ("completed", "withdrawn", "ongoing")
#: A pseudonymised identifier: letters, digits, ``-`` and ``_``, 4 to 64 characters.
PERSON_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{3,63}$"
#: Identifier values refused as personal data, with the reason given to the team.
PERSON_ID_REFUSED = (
    (r"(?i)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]?",
     "looks like a National Insurance number: use the pseudonymised identifier"),
    (r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}( \d{1,2}:\d{2}(:\d{2})?)?",
     "looks like a date (of birth?): use the pseudonymised identifier"),
    (r".*\s.*", "contains a space (a name?): use the pseudonymised identifier"),
)
#: Column names refused as personal data (lower case, other characters as ``_``).
PERSONAL_DATA_COLUMNS = (
    "name", "names", "first_name", "firstname", "forename", "forenames", "given_name",
    "surname", "last_name", "lastname", "family_name", "full_name", "fullname",
    "ni", "nino", "nin", "ni_no", "ni_number", "national_insurance",
    "national_insurance_number", "date_of_birth", "dob", "d_o_b", "birth_date", "birthdate",
    "address", "home_address", "postcode", "post_code", "email", "email_address", "phone",
    "telephone", "mobile", "phone_number",
)


def _person_id(description: str) -> Column:
    return Column("person_id", "string", True, description, pattern=PERSON_ID_PATTERN,
                  refuse=PERSON_ID_REFUSED, echo=False, example="SB-7f3a9c21")


PERSON_SHEETS: dict[str, tuple[Column, ...]] = {
    "participants": (
        _person_id("Pseudonymised identifier of the person, unique, the same in every sheet "
                   "and in the comparison file; never a name, National Insurance number or "
                   "date of birth"),
        Column("start_date", "date", True, "Date the person started the course or support "
               "(ISO YYYY-MM-DD)", example="2022-09-12"),
        Column("completion", "category", True, "Status on the date of the return",
               allowed=COMPLETION, example="completed"),
        Column("course", "string", True, "Course, intake or service strand (the cohort "
               "label)", example="Digital: software development, Sep 2022"),
        Column("district_code", "string", True, "GSS code of the local authority district of "
               "residence at the start", pattern=r"^[EWSN]0[6-9]\d{6}$", example="E08000025"),
    ),
    "outcomes": (
        _person_id("Identifier, as in the participants sheet"),
        Column("year", "integer", True, "Year of the observation (calendar year, or the tax "
               "year by its first calendar year; one convention for the whole file)",
               minimum=1990, example="2023"),
        Column("employed", "integer", True, "1 if in paid employment or self-employment in "
               "the year, else 0", minimum=0, maximum=1, example="1"),
        Column("earnings_gbp", "number", False, "Earnings from employment and "
               "self-employment in the year, £ (0 if none)", minimum=0, example="27500"),
        Column("age", "integer", False, "Age in whole years in the year (not a date of "
               "birth), for matching", minimum=16, maximum=100, example="31"),
        Column("qualification_level", "integer", False, "Highest qualification held at the "
               "start of the year, RQF level (0 = below level 1, 4 = level 4 or a degree, up "
               "to 8), for matching", minimum=0, maximum=8, example="3"),
    ),
}

PERSON_RETURN = ReturnSchema(
    "person", "Participant return", PERSON_SHEETS, "person_id",
    forbidden=PERSONAL_DATA_COLUMNS,
    note="One row per person who started, identified only by a pseudonymised identifier the "
         "programme team keeps the key to. Names, National Insurance numbers, dates of birth, "
         "addresses, postcodes, email addresses and telephone numbers must not be supplied: a "
         "return with such a column is refused. Outcomes cover every participant in every "
         "year of the panel (0 when not employed), from at least one year before the first "
         "start. Any table made from the return shows no cell of fewer than 10 people.")
