# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Impressions: an advisor's rating of rapport and mood after a contact, its rules, retention."""

import logging
from datetime import datetime

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.tools.sql import create_index

from ..tools import compat, params
from ..tools.groups import is_empathy_manager
from ..tools.protect_advisors import guarded_read_group, guarded_read_grouping_sets
from ..tools.vocabulary import (
    CHANNELS,
    COMMUNICATION_STYLES,
    MOOD_MAX,
    MOOD_MIN,
    MOOD_WORDS,
    RAPPORT_MAX,
    RAPPORT_MIN,
    RAPPORT_WORDS,
)

_logger = logging.getLogger(__name__)
#: edits of impressions older than this are tracked in their chatter (audit)
AUDIT_AFTER_HOURS = 24
#: impressions deleted per transaction by the retention cron
RETENTION_BATCH = 1000
#: fields whose change moves an impression's weight in the rapport aggregates
RAPPORT_FIELDS = ("partner_id", "user_id", "company_id", "date", "rapport", "mood")
#: fields whose change adds to the contact's profile (heard motives, observed style)
#: the impression's fields whose change reaches the contact's profile
PROFILE_EFFECT_FIELDS = ("partner_id", "motive_ids", "communication_style")
#: fields the evidence of the heard motives repeats (who heard them, when, where)
EVIDENCE_FIELDS = ("partner_id", "user_id", "company_id", "date", "motive_ids")
#: fixed after creation for everyone but empathy managers (no forged ratings)
FIXED_FIELDS = ("partner_id", "user_id", "company_id", "date")
#: impressions dated outside this range are refused (typos such as year 1)
MIN_DATE = datetime(1970, 1, 1)
MAX_DAYS_AHEAD = 366


@compat.sql_constraints(
    (
        "rapport_range",
        "CHECK (rapport BETWEEN 1 AND 5)",
        "The rapport must be between 1 and 5.",
    ),
    ("mood_range", "CHECK (mood BETWEEN -2 AND 2)", "The mood must be between -2 and +2."),
    (
        "external_ref_company_uniq",
        "UNIQUE (company_id, external_ref)",
        "An impression with this external reference already exists in this company.",
    ),
)
class EmpathyImpression(models.Model):
    _name = "empathy.impression"
    _description = "Customer Impression"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        required=True,
        index=True,
        ondelete="cascade",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Advisor",
        required=True,
        index=True,
        default=lambda self: self.env.user,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    date = fields.Datetime(required=True, index=True, default=fields.Datetime.now)
    channel = fields.Selection(CHANNELS, default="phone", required=True)
    rapport = fields.Integer(
        tracking=True,
        required=True,
        aggregator="avg",
        help="How well did we click? 1 (not at all) to 5 (perfectly).",
    )
    mood = fields.Integer(
        tracking=True,
        required=True,
        aggregator="avg",
        help="The customer's mood: -2 (angry) to +2 (delighted).",
    )
    empathy_can_edit = fields.Boolean(
        compute="_compute_empathy_access",
        string="Editable by me",
        help="Your own impression, or you are an empathy manager.",
    )
    empathy_can_move = fields.Boolean(
        compute="_compute_empathy_access",
        string="Contact, advisor, company and date editable by me",
        help="Empathy managers only, once the impression is recorded.",
    )
    communication_style = fields.Selection(
        COMMUNICATION_STYLES,
        string="Observed communication style",
    )
    motive_ids = fields.Many2many(
        "empathy.motive",
        string="Motives heard",
    )
    note = fields.Text(tracking=True)
    # source of the impression: the activity itself is deleted when done
    activity_type_id = fields.Many2one("mail.activity.type", ondelete="set null")
    res_model = fields.Char(string="Related Document Model")
    res_id = fields.Many2oneReference(string="Related Document ID", model_field="res_model")
    summary = fields.Char(string="Activity summary")
    # other channels (fair app, call center): re-importing the same reference is idempotent
    external_ref = fields.Char(
        string="External reference",
        index=True,
        copy=False,
        help="Reference of the interaction in the system it came from (fair app, call"
        " center export). Logging the same reference again updates this impression"
        " instead of creating a duplicate.",
    )

    # *Protect advisors*: no per-advisor totals or averages, on every grouping path of
    # both series (tools/protect_advisors.py, compat.grouping_methods())
    @api.model
    def _read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        return guarded_read_group(
            self, super()._read_group, domain, groupby, aggregates, having, offset, limit, order
        )

    @api.model
    def _read_grouping_sets(self, domain, grouping_sets, aggregates=(), order=None):
        return guarded_read_grouping_sets(
            self, super()._read_grouping_sets, domain, grouping_sets, aggregates, order
        )

    @api.model
    def empathy_scale_labels(self):
        """Return the words of the impression's scales in the user's language.

        ``{"mood": [[-2, "Angry"], ...], "rapport": [[1, "We did not click"], ...]}``:
        what the web client's mood and star widgets show (``tools/vocabulary.py``).
        """
        self.browse().check_access("read")
        return {
            "mood": [[value, self.env._(word)] for value, word in MOOD_WORDS.items()],
            "rapport": [[value, self.env._(word)] for value, word in RAPPORT_WORDS.items()],
        }

    def init(self):
        # newest impressions of a partner: mood trend, wizard defaults, timeline
        create_index(
            self.env.cr,
            "empathy_impression_partner_date_idx",
            self._table,
            ["partner_id", "date DESC", "id DESC"],
        )

    @api.constrains("rapport", "mood")
    def _check_ranges(self):
        for impression in self:
            impression._empathy_check_range_values(impression.rapport, impression.mood)

    @api.model
    def _empathy_check_range_values(self, rapport=None, mood=None):
        """Raise a translated ValidationError for out-of-range values (before SQL does)."""
        for value, low, high, message in (
            (
                rapport,
                RAPPORT_MIN,
                RAPPORT_MAX,
                self.env._("The rapport must be between 1 and 5 (got %s)."),
            ),
            (mood, MOOD_MIN, MOOD_MAX, self.env._("The mood must be between -2 and +2 (got %s).")),
        ):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValidationError(message % (value,))

    @api.constrains("date")
    def _check_date(self):
        latest = fields.Datetime.now() + relativedelta(days=MAX_DAYS_AHEAD)
        for impression in self:
            if impression.date and not MIN_DATE <= impression.date <= latest:
                raise ValidationError(
                    self.env._(
                        "The impression date %(date)s is not plausible: use a date between"
                        " %(first)s and %(last)s.",
                        date=fields.Date.to_string(impression.date.date()),
                        first=fields.Date.to_string(MIN_DATE.date()),
                        last=fields.Date.to_string(latest.date()),
                    )
                )

    @api.constrains("partner_id")
    def _check_partner_objection(self):
        for impression in self:
            if impression.partner_id.sudo().empathy_objection:
                raise ValidationError(
                    self.env._(
                        "%s objects to profiling (GDPR Art. 21): no impression can be"
                        " recorded for this contact.",
                        impression.partner_id.display_name,
                    )
                )

    @api.depends_context("uid")
    @api.depends("user_id")
    def _compute_empathy_access(self):
        manager = is_empathy_manager(self.env)
        for impression in self:
            impression.empathy_can_edit = manager or impression.user_id == self.env.user
            impression.empathy_can_move = manager or not impression.id

    @api.depends("partner_id", "date")
    def _compute_display_name(self):
        for impression in self:
            impression.display_name = "%s, %s" % (
                impression.partner_id.display_name or "",
                fields.Date.to_string(impression.date) if impression.date else "",
            )

    # ------------------------------------------------------------------
    # CRUD: keep rapport aggregates and partner fields exact, incrementally
    # ------------------------------------------------------------------
    @api.model
    def _empathy_check_partners_exist(self, vals_list):
        """Raise a clear error for contacts that do not exist or cannot be read."""
        ids = {vals["partner_id"] for vals in vals_list if isinstance(vals.get("partner_id"), int)}
        partners = self.env["res.partner"].browse(ids)
        if not self.env.su:
            # an advisor cannot give an opinion about someone they are not allowed to
            # see; the usual case costs one query, existence is only checked on error
            try:
                partners.check_access("read")
                return
            except (AccessError, MissingError):
                if set(partners.sudo().exists().ids) == ids:
                    raise
        missing = ids - set(partners.sudo().exists().ids)
        if missing:
            raise ValidationError(
                self.env._(
                    "The contact %s does not exist (any more).",
                    ", ".join(str(pid) for pid in sorted(missing)),
                )
            )

    @api.model
    def _empathy_check_motive_ids(self, vals_list):
        """Raise a clear error for motive ids that do not exist (instead of a SQL error)."""
        ids = set()
        for vals in vals_list:
            commands = vals.get("motive_ids") or ()
            if not isinstance(commands, (list, tuple)):
                commands = [commands]
            for command in commands:
                if isinstance(command, (list, tuple)) and command:
                    if command[0] == fields.Command.SET and len(command) > 2:
                        ids.update(command[2] or ())
                    elif command[0] == fields.Command.LINK and len(command) > 1:
                        ids.add(command[1])
                else:
                    ids.add(command)
        if not ids:
            return
        valid = {i for i in ids if isinstance(i, int) and not isinstance(i, bool) and i > 0}
        if valid:
            valid = set(self.env["empathy.motive"].sudo().browse(valid).exists().ids)
        unknown = ids - valid
        if unknown:
            raise ValidationError(
                self.env._(
                    "Unknown purchase motive id(s): %s. Use the ids of existing motives.",
                    ", ".join(sorted(map(str, unknown))),
                )
            )

    def _empathy_check_fixed_fields(self, vals):
        """Only empathy managers change the contact, advisor, company or date afterwards."""
        names = [name for name in FIXED_FIELDS if name in vals]
        if not names or is_empathy_manager(self.env):
            return
        for impression in self:
            for name in names:
                field = self._fields[name]
                new = field.convert_to_record(
                    field.convert_to_cache(vals[name], impression), impression
                )
                if new != impression[name]:
                    raise AccessError(
                        self.env._(
                            "Only empathy managers can change the contact, advisor, company or"
                            " date of an impression once it is recorded (%s).",
                            field._description_string(self.env),
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # missing or None is out of range too (both are required)
            self._empathy_check_range_values(
                *(False if vals.get(key) is None else vals[key] for key in ("rapport", "mood"))
            )
        self._empathy_check_partners_exist(vals_list)
        self._empathy_check_motive_ids(vals_list)
        impressions = super(
            EmpathyImpression,
            self.with_context(
                mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True
            ),
        ).create(vals_list)
        impressions = impressions.with_env(self.env)
        impressions._empathy_apply_effects(before=[], created=True)
        return impressions

    def write(self, vals):
        self._empathy_check_range_values(vals.get("rapport"), vals.get("mood"))
        self._empathy_check_fixed_fields(vals)
        if "motive_ids" in vals:
            self._empathy_check_motive_ids([vals])
        limit = fields.Datetime.now() - relativedelta(hours=AUDIT_AFTER_HOURS)
        fresh = self.filtered(lambda imp: not imp.create_date or imp.create_date > limit)
        if fresh and fresh != self:
            # audit only the old ones
            return (self - fresh).write(vals) and fresh.write(vals)
        target = self.with_context(tracking_disable=True) if fresh else self
        before = self._empathy_snapshot() if set(RAPPORT_FIELDS) & set(vals) else None
        result = super(EmpathyImpression, target).write(vals)
        self._empathy_apply_effects(
            before=before,
            profile=bool(set(PROFILE_EFFECT_FIELDS) & set(vals)),
            evidence=bool(set(EVIDENCE_FIELDS) & set(vals)),
        )
        return result

    def unlink(self):
        snapshot = self._empathy_snapshot()
        result = super().unlink()
        # the evidence of the heard motives stays (it keeps the date, ``impression_id``
        # is set to null): the motive was heard, even if the impression is deleted
        self.env["empathy.rapport"]._empathy_apply(removed=snapshot)
        return result

    def _empathy_apply_effects(self, before=None, profile=True, evidence=True, created=False):
        """Apply the effects of these impressions, just created or edited: the one place
        every entry point goes through (dialog, form, API, intake; the CLI and the MCP
        server use the API), so that an impression has the same effects whatever its
        origin, each applied once, in this order:

        1. the rapport (and, applied with it, the fair score and the rapport by kind of
           customer): from ``before`` (their snapshots before an edit, ``[]`` for new
           impressions, ``None``: rapport unchanged) to their values now;
        2. the contact's profile (``profile``): the heard motives the contact lacks are
           added, the observed style replaces the contact's;
        3. the evidence of the heard motives (``evidence``): one row per motive per
           impression, following the impression's motives, contact, advisor, company
           and date (``created``: none exists yet, nothing to compare).
        """
        if before is not None:
            self.env["empathy.rapport"]._empathy_apply(
                added=self._empathy_snapshot(), removed=before
            )
        if profile:
            self._empathy_apply_to_partners()
        if evidence:
            self.env["empathy.motive.evidence"]._empathy_sync_impressions(self, created=created)

    def _empathy_snapshot(self):
        """Return the values the rapport aggregates depend on, one dict per impression."""
        return [
            {
                "partner_id": rec.partner_id.id,
                "user_id": rec.user_id.id,
                "company_id": rec.company_id.id,
                "date": rec.date,
                "rapport": rec.rapport,
                "mood": rec.mood,
            }
            for rec in self.sudo()
        ]

    def _empathy_apply_to_partners(self):
        """Add the heard motives and the observed style to the contacts (no query when
        the impressions have neither).

        Written through the contact's fields (``res.partner.write``, as the system: no
        manual evidence), whatever stores them: the contact's kind of customer moves
        with them (``res_partner_matching``).
        """
        # customers in id order: each write locks its customer (see res_partner_matching)
        for impression in self.sudo().sorted(lambda imp: (imp.partner_id.id, imp.id)):
            partner_vals = {}
            new_motives = impression.motive_ids and (
                impression.motive_ids - impression.partner_id.empathy_motive_ids
            )
            if new_motives:
                partner_vals["empathy_motive_ids"] = [
                    fields.Command.link(motive.id) for motive in new_motives
                ]
            if impression.communication_style and (
                impression.communication_style != impression.partner_id.empathy_communication_style
            ):
                partner_vals["empathy_communication_style"] = impression.communication_style
            if partner_vals:
                impression.partner_id.write(partner_vals)

    # ------------------------------------------------------------------
    # retention (GDPR storage limitation)
    # ------------------------------------------------------------------
    @api.model
    def _empathy_retention_limit(self):
        """Return the datetime before which impressions are deleted."""
        months = params.get(self.env, params.RETENTION_MONTHS)
        return fields.Datetime.now() - relativedelta(months=months)

    @api.model
    def _cron_empathy_retention(self, batch_size=RETENTION_BATCH, max_batches=None):
        """Delete impressions older than the retention period, one batch per transaction.

        Each batch is committed (outside tests), so an interrupted run loses no work;
        the next run resumes with what is left. Rapport stays exact: deleting goes
        through ``unlink``.
        """
        limit = self._empathy_retention_limit()
        Impression = self.sudo().with_context(active_test=False)
        done = batches = 0
        while max_batches is None or batches < max_batches:
            batch = Impression.search([("date", "<", limit)], limit=batch_size, order="date, id")
            if not batch:
                break
            batch.unlink()
            done += len(batch)
            batches += 1
            if not compat.running_tests():
                self.env.cr.commit()  # pylint: disable=invalid-commit
        remaining = Impression.search_count([("date", "<", limit)])
        compat.cron_progress(self.env, done, remaining)
        _logger.info("empathy retention: %s impressions deleted, %s remaining", done, remaining)
        return done

    # ------------------------------------------------------------------
    # external API: other channels (fair app, call center, web shop)
    # ------------------------------------------------------------------
    @api.model
    def empathy_log_interactions(self, rows, dry_run=False):
        """Log interactions with the advisor's impression, many in one call.

        The public entry point of ``empathy.interaction.intake`` (see its ``_empathy_log`` for
        the keys of a row and the results: one dictionary per row, in order).

        :param list rows: at most ``INTERACTION_MAX_ROWS`` dictionaries
        :param bool dry_run: validate and report everything, but write nothing
        """
        return self.env["empathy.interaction.intake"]._empathy_log(rows, dry_run=dry_run)
