# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Silent customers: a ready re-activation mailing, in a fact and a story version.

``action_empathy_reactivation()`` (menu *Email Marketing ▸ Re-activate silent
customers*) creates, in a campaign of its own, a mailing to the silent customers
(``res.partner.empathy_silent``: they bought recently but have not been heard from):
a fact version (what is new, in figures) and a story version (how it feels), linked
as the two versions of one mailing (``empathy_version``,
``empathy_version_mailing_id``, made by ``action_empathy_story_version``:
``mailing_mailing_versions.py``), so that each
customer receives the one that fits their communication style. The texts are a
draft in the user's language for the marketer to adapt in the mailing editor; the
mailings are drafts, nothing is sent.
"""

from markupsafe import Markup, escape

from odoo import api, models


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    @api.model
    def action_empathy_reactivation(self):
        """Create the re-activation mailing (both versions) and open its fact version."""
        _ = self.env._
        campaign = self.env["utm.campaign"].create(
            {"name": self.env._("Re-activation of silent customers")}
        )
        common = {
            "mailing_type": "mail",
            "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            "mailing_domain": repr([("empathy_silent", "=", True)]),
            "campaign_id": campaign.id,
        }
        fact_body = self._empathy_reactivation_body(
            self.env._("What is new since your last order"),
            [
                self.env._("It has been a while since we last heard from you."),
                self.env._(
                    "Since your last order, we have added new products and improved"
                    " the ones you know: the details, figures and prices are on our"
                    " website."
                ),
                self.env._(
                    "Your advisor is happy to compare the options for you, in a short call."
                ),
            ],
        )
        story_body = self._empathy_reactivation_body(
            self.env._("We have missed you"),
            [
                self.env._("It has been a while, and we often think of our good conversations."),
                self.env._(
                    "A lot has happened since your last visit: new things to discover,"
                    " made for moments like the ones you told us about."
                ),
                self.env._(
                    "Just reply to this mail and tell us how you are: we would love to hear."
                ),
            ],
        )
        fact = self.create(
            {
                **common,
                "subject": self.env._("What is new since your last order"),
                "body_arch": fact_body,
                "body_html": fact_body,
            }
        )
        # the story version as the marketer's button makes it (same campaign, same
        # recipients, linked both ways: mailing_mailing_versions.py), then its words
        fact.action_empathy_story_version()
        fact.empathy_version_mailing_id.write(
            {
                "subject": self.env._("We have missed you"),
                "body_arch": story_body,
                "body_html": story_body,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "mailing.mailing",
            "res_id": fact.id,
            "views": [(False, "form")],
            "target": "current",
        }

    @api.model
    def _empathy_reactivation_body(self, title, paragraphs):
        """Return a simple mailing body: a title and paragraphs (escaped)."""
        return Markup(
            '<div class="o_layout o_empty_theme"><div class="container o_mail_wrapper">'
            '<div class="col o_mail_no_options o_mail_wrapper_td">'
            "<h1>%s</h1>%s</div></div></div>"
        ) % (escape(title), Markup("").join(Markup("<p>%s</p>") % escape(p) for p in paragraphs))
