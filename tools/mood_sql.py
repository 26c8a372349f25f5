# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The mood trend rule, written once: the mean mood of the newest impressions against
the ones before, as the SQL that the contact's aggregates and the lead scoring share.

Raw SQL fragments (listed in readme/DEVELOPMENT.md), used inside
``res.partner._empathy_refresh_rapport`` and ``crm.lead._empathy_scoring_update``,
whose docstrings say what they take over (both flush the impressions first). The
window reads the newest 2 x MOOD_WINDOW rows through
``empathy_impression_partner_date_idx``: 6 rows whatever the history.
"""

from odoo.tools import SQL

#: how many recent impressions are compared with the ones before for the mood trend
MOOD_WINDOW = 3
#: the mean mood must move by at least this (on the -2..+2 scale) to be a trend
MOOD_THRESHOLD = 0.5


def mood_window_sql(partner, company):
    """Return a subquery of one row ``(last, recent, earlier)`` for one contact.

    ``last``: the newest impression's date; ``recent``: the mean mood of the newest
    MOOD_WINDOW impressions of the contact ``partner`` in ``company`` (SQL
    expressions, e.g. columns of the outer query: use it in ``JOIN LATERAL``);
    ``earlier``: of the MOOD_WINDOW before. Index-only on (partner, date): the
    newest rows only, whatever the history. All NULL without impressions.
    """
    return SQL(
        """
        SELECT max(x.date) AS last,
               avg(x.mood) FILTER (WHERE x.rn <= %(w)s) AS recent,
               avg(x.mood) FILTER (WHERE x.rn > %(w)s) AS earlier
          FROM (
                SELECT i.date, i.mood,
                       row_number() OVER (ORDER BY i.date DESC, i.id DESC) AS rn
                  FROM empathy_impression i
                 WHERE i.partner_id = %(partner)s
                   AND i.company_id = %(company)s
              ORDER BY i.date DESC, i.id DESC
                 LIMIT 2 * %(w)s
               ) x
        """,
        partner=partner,
        company=company,
        w=MOOD_WINDOW,
    )


def mood_trend_sql(recent, earlier):
    """Return the SQL trend (``improving``/``stable``/``declining``) of two mean moods.

    With no earlier window (few impressions) the trend is stable; the caller decides
    what no impression at all (``recent`` NULL) means.
    """
    return SQL(
        """CASE WHEN %(earlier)s IS NULL THEN 'stable'
                WHEN %(recent)s - %(earlier)s >= %(t)s THEN 'improving'
                WHEN %(earlier)s - %(recent)s >= %(t)s THEN 'declining'
                ELSE 'stable' END""",
        recent=recent,
        earlier=earlier,
        t=MOOD_THRESHOLD,
    )
