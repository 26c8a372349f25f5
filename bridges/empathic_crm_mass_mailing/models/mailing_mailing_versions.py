# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""One campaign, the right words for each person; each customer on their own channel.

Versions. A mailing becomes the *fact version* of a pair when the marketer asks for its
*story version* (``action_empathy_story_version``): a copy in the same campaign, with
the same recipients and settings, written in Odoo's own mailing editor. The two are
linked both ways (``empathy_version_mailing_id``) and are one mailing for everything but
their content: the recipients (model, domain, lists, filter), the campaign, the schedule
and the empathy settings are kept in step when either changes, and the recipients of
both are always taken from the fact version.

Each recipient receives exactly one version (``_get_recipients``, and so
``_get_remaining_recipients`` and the sending queue): fact-oriented persons the fact
version, emotional ones the story version; mixed, unknown and objecting persons (their
profile is never read for them: GDPR Art. 21) what ``empathy_mixed_mode`` says, one
version or ``split``: half and half by the recipient's id (even ids the facts, odd ids
the story), the same on every call.

Sending. The versions travel together: *Send*, *Schedule*, *Cancel* and
``action_send_mail`` on either act on both (a version none of whose recipients fits is
simply marked sent). *Test* on either sends the marketer one test mail per version,
each marked with the name of its version, so both are previewed at once.

Channel. ``empathy_channel_mode`` ``activity`` / ``both``: recipients who prefer the
phone get a Call activity, those who prefer a visit a Meeting activity, for their
salesperson (the contact's, else the mailing's responsible), on the contact, once per
mailing (pair): ``mail.activity.empathy_mailing_id`` and a unique index make a re-send
or a second worker create nothing more. With ``activity`` they get no mail. The
activity's note names the campaign and the mailing, never empathy data: the salesperson
reads the person's briefing through the main addon's guarded activity briefing, and
completing the activity passes through the impression dialog as every call does.

The kinds of the recipients are read in one query, as superuser, from
``empathy.profile``; a marketer sees counts (``empathy_version_summary``), never names.
"""

import logging

import psycopg2
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools.groups import MARKETING_GROUP

_logger = logging.getLogger(__name__)

VERSIONS = [("factual", "Fact version"), ("emotional", "Story version")]
MIXED_MODES = [
    ("factual", "The fact version"),
    ("emotional", "The story version"),
    ("split", "Half and half (A/B)"),
]
CHANNEL_MODES = [
    ("mail", "Mail only"),
    ("activity", "Call or visit instead of the mail"),
    ("both", "Call or visit besides the mail"),
]
#: the preferred channels that become an activity, and its type
ACTIVITY_CHANNELS = {
    "phone": "mail.mail_activity_data_call",
    "meeting": "mail.mail_activity_data_meeting",
}
#: above this many recipients, their kinds are read without filtering by their ids
KINDS_ALL_ROWS = 20_000
#: what the two versions share: written on one, written on the other
SHARED_FIELDS = (
    "mailing_model_id",
    "mailing_domain",
    "mailing_filter_id",
    "contact_list_ids",
    "campaign_id",
    "schedule_type",
    "schedule_date",
    "empathy_mixed_mode",
    "empathy_channel_mode",
)


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    empathy_version = fields.Selection(
        VERSIONS,
        string="Version",
        copy=False,
        readonly=True,
        help="Fact version: sent to fact-oriented customers; story version: to"
        " emotion- and design-oriented ones. Empty: one text for everyone.",
    )
    empathy_version_mailing_id = fields.Many2one(
        "mailing.mailing",
        string="Other version",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The other version of this mailing: each recipient receives one of the two.",
    )
    empathy_mixed_mode = fields.Selection(
        MIXED_MODES,
        string="Mixed or unknown style",
        default="factual",
        required=True,
        help="What recipients get whose communication style is mixed or unknown (and"
        " those who object to profiling): one of the versions, or half of them each.",
    )
    empathy_channel_mode = fields.Selection(
        CHANNEL_MODES,
        string="Phone and visit people",
        default="mail",
        required=True,
        help="Recipients who prefer the phone or a visit: a call or meeting activity for"
        " their salesperson, instead of the mail or besides it.",
    )
    empathy_recipient_count = fields.Integer(
        string="Recipients of this version",
        compute="_compute_empathy_version_counts",
        groups=MARKETING_GROUP,
    )
    empathy_other_recipient_count = fields.Integer(
        string="Recipients of the other version",
        compute="_compute_empathy_version_counts",
        groups=MARKETING_GROUP,
    )
    empathy_activity_count = fields.Integer(
        string="Calls and visits",
        compute="_compute_empathy_version_counts",
        groups=MARKETING_GROUP,
        help="Recipients who get a call or meeting activity for their salesperson.",
    )
    empathy_version_summary = fields.Char(
        string="Who gets what",
        compute="_compute_empathy_version_counts",
        groups=MARKETING_GROUP,
    )

    # ------------------------------------------------------------------
    # the pair
    # ------------------------------------------------------------------
    def _empathy_is_versioned(self):
        self.ensure_one()
        return bool(self.empathy_version and self.empathy_version_mailing_id)

    def _empathy_primary(self):
        """Return the mailing that holds the recipients and settings: the fact version
        of a pair, else the mailing itself."""
        self.ensure_one()
        if self._empathy_is_versioned() and self.empathy_version == "emotional":
            return self.empathy_version_mailing_id
        return self

    def _empathy_companions(self):
        """Return the other versions of these mailings that are not among them."""
        return self.empathy_version_mailing_id.filtered("empathy_version") - self

    @api.constrains("empathy_version", "ab_testing_enabled")
    def _check_empathy_version_ab_testing(self):
        for mailing in self:
            if mailing.empathy_version and mailing.ab_testing_enabled:
                raise ValidationError(
                    self.env._(
                        "A mailing with a fact and a story version cannot be an A/B test:"
                        " the versions already split the recipients by their style."
                    )
                )

    def action_empathy_story_version(self):
        """Create (or open) the story version of this mailing, in Odoo's mailing editor.

        The mailing becomes the fact version; the story version is a copy in the same
        campaign, with the same recipients and settings, linked both ways.
        """
        self.ensure_one()
        if self.empathy_version_mailing_id:
            return self.empathy_version_mailing_id._empathy_action_open()
        if self.ab_testing_enabled:
            raise UserError(
                self.env._(
                    "Turn the A/B test off first: the versions split the recipients by style."
                )
            )
        if self.state != "draft":
            raise UserError(
                self.env._("A story version can only be added to a mailing not sent yet.")
            )
        self.empathy_version = "factual"
        story = self.copy(
            {
                "empathy_version": "emotional",
                "empathy_version_mailing_id": self.id,
                "subject": self.subject,
                "campaign_id": self.campaign_id.id,
                "mailing_model_id": self.mailing_model_id.id,
                "mailing_domain": self.mailing_domain,
                "mailing_filter_id": self.mailing_filter_id.id,
                "contact_list_ids": [fields.Command.set(self.contact_list_ids.ids)],
                "schedule_type": self.schedule_type,
                "schedule_date": self.schedule_date,
            }
        )
        self.empathy_version_mailing_id = story
        return story._empathy_action_open()

    def action_empathy_open_other_version(self):
        self.ensure_one()
        if not self.empathy_version_mailing_id:
            return self.action_empathy_story_version()
        return self.empathy_version_mailing_id._empathy_action_open()

    def _empathy_action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": dict(self._fields["empathy_version"]._description_selection(self.env)).get(
                self.empathy_version, self.env._("Mailing")
            ),
            "res_model": "mailing.mailing",
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def write(self, vals):
        result = super().write(vals)
        shared = [name for name in SHARED_FIELDS if name in vals]
        if shared and not self.env.context.get("empathy_version_sync"):
            for mailing in self.filtered("empathy_version_mailing_id"):
                other = mailing.empathy_version_mailing_id
                if other in self:
                    continue
                other.with_context(empathy_version_sync=True).write(
                    {name: mailing._empathy_shared_value(name) for name in shared}
                )
        return result

    def _empathy_shared_value(self, name):
        field = self._fields[name]
        value = self[name]
        if field.type == "many2one":
            return value.id
        if field.type in ("many2many", "one2many"):
            return [fields.Command.set(value.ids)]
        return value

    # ------------------------------------------------------------------
    # who gets which version, and who a call or a visit
    # ------------------------------------------------------------------
    def _get_recipients(self):
        primary = self._empathy_primary()
        versioned = self._empathy_is_versioned()
        if not versioned and self.empathy_channel_mode != "activity":
            return super()._get_recipients()
        # both versions start from the same recipients: the fact version's
        res_ids = primary._empathy_every_recipient() if versioned else super()._get_recipients()
        kinds = primary._empathy_recipient_kinds(res_ids)
        version_of, version = primary._empathy_version_chooser(), self.empathy_version
        return [res_id for res_id in res_ids if version_of(res_id, kinds.get(res_id)) == version]

    def _empathy_every_recipient(self):
        """Return the ids of every recipient of this mailing's domain, before the split:
        Odoo's ``_get_recipients`` without its A/B sample (a versioned mailing is never
        an A/B test: ``_check_empathy_version_ab_testing``)."""
        self.ensure_one()
        return self.env[self.mailing_model_real].search(self._get_recipients_domain()).ids

    def _empathy_mail_version(self, res_id, kind):
        """Return the version recipient ``res_id`` gets (False: one text for all), or
        None when they get no mail. ``self``: the primary mailing; ``kind``: from
        ``_empathy_recipient_kinds`` (None: unknown)."""
        return self._empathy_version_chooser()(res_id, kind)

    def _empathy_version_chooser(self):
        """Return ``_empathy_mail_version`` as a function of ``(res_id, kind)`` with the
        mailing's settings read once: it runs for every recipient (200,000 field reads
        of the mailing cost more than the recipients' search)."""
        self.ensure_one()
        activity_only = self.empathy_channel_mode == "activity"
        versioned = self._empathy_is_versioned()
        own, mixed = self.empathy_version, self.empathy_mixed_mode

        def version_of(res_id, kind):
            style, channel = (kind["style"], kind["channel"]) if kind else (False, False)
            if activity_only and channel in ACTIVITY_CHANNELS:
                return None
            if not versioned:
                return own
            if style in ("factual", "emotional"):
                return style
            if mixed == "split":
                return "factual" if res_id % 2 == 0 else "emotional"
            return mixed

        return version_of

    def _empathy_recipient_kinds(self, res_ids):
        """Return {res_id: {"partner": id, "user": id, "style": str, "channel": str}} of
        the recipients whose kind decides something (a fact or story style, the phone
        or a visit as preferred channel) and who do not object (nor does their company);
        the others are unknown to the caller, as they are to the versions.

        One query, as superuser (a marketer sees no profile; the kinds only choose the
        version). Recipients of a model without a contact (``partner_id``) are unknown.
        Cheap for 200,000 recipients: only the deciding profile rows, the ids as one
        array value (a list becomes one SQL constant per id: planning them cost more
        than the query), the objecting commercial partners as an anti-join; above
        ``KINDS_ALL_ROWS`` recipients, all the deciding rows are read and the
        recipients' kept in Python.
        """
        self.ensure_one()
        if not res_ids:
            return {}
        Model = self.env[self.mailing_model_real]
        # many recipients: all the deciding rows, the recipients' kept in Python
        # (filtering them by the ids in SQL costs more)
        ids = None if len(res_ids) > KINDS_ALL_ROWS else "{%s}" % ",".join(map(str, res_ids))
        if Model._name == "res.partner":
            # the contacts themselves: no join to find them
            res_id, join = SQL("prof.partner_id"), SQL()
            where = SQL("prof.partner_id = ANY(%s::int4[])", ids) if ids else SQL("TRUE")
        else:
            field = Model._fields.get("partner_id")
            if not (
                field
                and field.type == "many2one"
                and field.comodel_name == "res.partner"
                and field.store
            ):
                return {}
            res_id = SQL("r.id")
            join = SQL("JOIN %s r ON r.partner_id = prof.partner_id", SQL.identifier(Model._table))
            where = SQL("r.id = ANY(%s::int4[])", ids) if ids else SQL("TRUE")
        self.env["res.partner"].flush_model(
            ["empathy_objection", "commercial_partner_id", "user_id"]
        )
        self.env["empathy.profile"].flush_model(["communication_style", "preferred_channel"])
        Model.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT %(res_id)s, p.id, p.user_id, prof.communication_style,
                       prof.preferred_channel
                  FROM empathy_profile prof
                  JOIN res_partner p ON p.id = prof.partner_id
                  %(join)s
                 WHERE %(where)s
                   AND (prof.communication_style IN %(styles)s
                        OR prof.preferred_channel IN %(channels)s)
                   AND p.empathy_objection IS NOT TRUE
                   AND NOT EXISTS (SELECT 1 FROM res_partner cp
                                    WHERE cp.id = p.commercial_partner_id
                                      AND cp.empathy_objection)
                """,
                res_id=res_id,
                join=join,
                where=where,
                styles=tuple(version for version, _label in VERSIONS),
                channels=tuple(ACTIVITY_CHANNELS),
            )
        )
        rows = self.env.cr.fetchall()
        wanted = set(res_ids) if ids is None else None
        return {
            record_id: {"partner": partner, "user": user, "style": style, "channel": channel}
            for record_id, partner, user, style, channel in rows
            if wanted is None or record_id in wanted
        }

    def _empathy_activity_targets(self):
        """Return {partner_id: (channel, user_id)}: who gets a call or a visit from this
        (primary) mailing."""
        self.ensure_one()
        if self.empathy_channel_mode == "mail":
            return {}
        res_ids = self._empathy_every_recipient()
        targets = {}
        for kind in self._empathy_recipient_kinds(res_ids).values():
            if kind["channel"] in ACTIVITY_CHANNELS:
                user = kind["user"] or self.user_id.id or self.env.user.id
                targets.setdefault(kind["partner"], (kind["channel"], user))
        return targets

    # ------------------------------------------------------------------
    # counts for the marketer (no names)
    # ------------------------------------------------------------------
    @api.depends_context("uid")
    def _compute_empathy_version_counts(self):
        for mailing in self:
            mailing.empathy_recipient_count = 0
            mailing.empathy_other_recipient_count = 0
            mailing.empathy_activity_count = 0
            mailing.empathy_version_summary = False
            record = mailing._origin
            if not record or not record.mailing_model_real:
                continue
            primary = record._empathy_primary()
            try:
                own = len(record._get_recipients())
                other = (
                    len(record.empathy_version_mailing_id._get_recipients())
                    if record._empathy_is_versioned()
                    else 0
                )
                activities = len(primary._empathy_activity_targets())
            except (ValueError, SyntaxError):  # a domain being edited
                continue
            mailing.empathy_recipient_count = own
            mailing.empathy_other_recipient_count = other
            mailing.empathy_activity_count = activities
            mailing.empathy_version_summary = record._empathy_summary_text(own, other, activities)

    def _empathy_summary_text(self, own, other, activities):
        parts = []
        if self._empathy_is_versioned():
            facts, story = (own, other) if self.empathy_version == "factual" else (other, own)
            parts.append(self.env._("%(count)s recipients get the fact version", count=facts))
            parts.append(self.env._("%(count)s the story version", count=story))
        elif self.empathy_channel_mode != "mail":
            parts.append(self.env._("%(count)s recipients get the mail", count=own))
        if self.empathy_channel_mode != "mail":
            if self.empathy_channel_mode == "activity":
                parts.append(
                    self.env._("%(count)s get a call or a visit instead", count=activities)
                )
            else:
                parts.append(self.env._("%(count)s also get a call or a visit", count=activities))
        return ", ".join(parts) or False

    # ------------------------------------------------------------------
    # sending: both versions together, the activities once
    # ------------------------------------------------------------------
    def action_put_in_queue(self):
        companions = self._empathy_companions().filtered(
            lambda m: m.state not in ("in_queue", "sending", "done")
        )
        return super(MailingMailing, self | companions).action_put_in_queue()

    def action_cancel(self):
        companions = self._empathy_companions().filtered(lambda m: m.state == "in_queue")
        return super(MailingMailing, self | companions).action_cancel()

    def action_send_mail(self, res_ids=None):
        if res_ids:
            return super().action_send_mail(res_ids)
        mailings = self | self._empathy_companions().filtered(lambda m: m.state != "done")
        return super(MailingMailing, mailings).action_send_mail()

    def _action_send_mail(self, res_ids=None):
        if res_ids:
            return super()._action_send_mail(res_ids)
        self._empathy_schedule_activities()
        for mailing in self:
            remaining = mailing._get_remaining_recipients()
            if remaining:
                super(MailingMailing, mailing)._action_send_mail(remaining)
            elif mailing._empathy_reached_otherwise():
                mailing._empathy_mark_sent()
            else:
                super(MailingMailing, mailing)._action_send_mail()  # Odoo's "no recipients"
        return True

    def _empathy_reached_otherwise(self):
        """Return whether the recipients of this mailing (that gets none itself) are
        reached by its other version or by activities."""
        self.ensure_one()
        primary = self._empathy_primary()
        if self._empathy_is_versioned() and primary._empathy_every_recipient():
            return True
        return bool(primary._empathy_activity_targets())

    def _empathy_mark_sent(self):
        for mailing in self:
            mailing.write(
                {
                    "state": "done",
                    "sent_date": fields.Datetime.now(),
                    "kpi_mail_required": not mailing.sent_date,
                }
            )

    @api.model
    def _process_mass_mailing_queue(self):
        # the activities first: the queue marks a mailing without mail recipients
        # sent without sending it (phone people only, ``activity`` mode)
        due = self.search(
            [
                ("state", "in", ("in_queue", "sending")),
                ("empathy_channel_mode", "!=", "mail"),
                "|",
                ("schedule_date", "<", fields.Datetime.now()),
                ("schedule_date", "=", False),
            ]
        )
        due._empathy_schedule_activities()
        return super()._process_mass_mailing_queue()

    def _empathy_schedule_activities(self):
        """Create the call and meeting activities of these mailings (once per person
        and mailing pair, whatever the number of sends and workers)."""
        primaries = self.browse()
        for mailing in self:
            primaries |= mailing._empathy_primary()
        for primary in primaries.filtered(lambda m: m.empathy_channel_mode != "mail"):
            primary._empathy_create_activities(primary._empathy_activity_targets())

    def _empathy_create_activities(self, targets):
        self.ensure_one()
        if not targets:
            return
        Activity = self.env["mail.activity"].sudo().with_context(active_test=False)
        existing = set(
            Activity.search(
                [
                    ("empathy_mailing_id", "=", self.id),
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", list(targets)),
                ]
            ).mapped("res_id")
        )
        vals_list = [
            self._empathy_activity_values(partner_id, channel, user_id)
            for partner_id, (channel, user_id) in targets.items()
            if partner_id not in existing
        ]
        if not vals_list:
            return
        try:
            with self.env.cr.savepoint():
                Activity.create(vals_list)
        except psycopg2.errors.UniqueViolation:
            # another worker creates them at the same time: one by one, skip theirs
            for vals in vals_list:
                try:
                    with self.env.cr.savepoint():
                        Activity.create(vals)
                except psycopg2.errors.UniqueViolation:
                    _logger.info(
                        "Mailing %s: the activity of contact %s exists already",
                        self.id,
                        vals["res_id"],
                    )

    def _empathy_activity_values(self, partner_id, channel, user_id):
        activity_type = self.env.ref(ACTIVITY_CHANNELS[channel])
        return {
            "activity_type_id": activity_type.id,
            "res_model_id": self.env["ir.model"]._get_id("res.partner"),
            "res_id": partner_id,
            "user_id": user_id,
            "summary": self.subject,
            "note": self._empathy_activity_note(channel),
            "empathy_mailing_id": self.id,
        }

    def _empathy_activity_note(self, channel):
        """The campaign's reason, for the salesperson: no empathy data (anyone who may
        read the contact's activities reads it)."""
        why = (
            self.env._("They would rather hear from you by phone than read a mailing.")
            if channel == "phone"
            else self.env._("They would rather meet you than read a mailing.")
        )
        lines = [
            self.env._("Campaign: %(campaign)s", campaign=self.campaign_id.name or "-"),
            self.env._("Mailing: %(subject)s", subject=self.subject or ""),
            why,
        ]
        return Markup("<p>%s</p>") % Markup("<br/>").join(escape(line) for line in lines)

    # ------------------------------------------------------------------
    # preview: the test mail of each version says which it is
    # ------------------------------------------------------------------
    def _empathy_version_label(self):
        self.ensure_one()
        return dict(self._fields["empathy_version"]._description_selection(self.env)).get(
            self.empathy_version, ""
        )

    def _prepend_preview(self, html, preview):
        html = super()._prepend_preview(html, preview)
        if self.env.context.get("empathy_version_test") and len(self) == 1:
            banner = Markup(
                '<p class="o_empathy_version_test" style="font-weight: bold;">%s</p>'
            ) % escape(self.env._("Test of the %(version)s", version=self._empathy_version_label()))
            html = banner + Markup(html)
        return html
