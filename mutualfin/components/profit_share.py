"""Profit share and dividends: the part of the mutual's surplus paid out to the council or a
partner.

Some councils take a share of the mutual's profits (3BM's three councils take half of its net
profits); a partner holding equity in a joint venture (3BM's 24.9% partner) is paid
dividends. :class:`ProfitShare` (key ``profit_share``) pays each its share of the previous
year's surplus after tax, once the accounts for that year are agreed, and nothing after a
loss: ``share x max(surplus after tax of the year before, 0)``. The payments are
distributions (role ``distribution``): they leave the mutual's reserves and cash but are not
costs of the service, and the council's share is income in its budget and appraisal.
"""

from __future__ import annotations

from typing import ClassVar

from mutualfin.components.base import BuildContext, Component, ComponentInputs, Share, field
from mutualfin.engine import Line, max_, previous, year_start
from mutualfin.errors import InputError

__all__ = ["ProfitShare"]


class ProfitShare(Component):
    """Profit share and dividends paid out of last year's surplus after tax.

    Lines (sheet "Statements", section "Profit share")
    ------------------------------------------------------
    ``distributable_surplus``
        ``max(surplus_after_tax of the year before, 0)``: nothing is paid out of a loss. On a
        timeline with months, last year's surplus after tax (its total to date at the year
        end), paid in the first month of the following year.
    ``profit_share_council``, ``profit_share_partner`` (role ``distribution``)
        ``council_share`` and ``partner_share`` of it.
    """

    key = "profit_share"
    sheet = "Statements"
    roles: ClassVar[dict[str, str]] = {
        "profit_share_council": "distribution",
        "profit_share_partner": "distribution",
    }

    class Inputs(ComponentInputs):
        council_share: Share = field(
            "Share of last year's surplus after tax paid to the council", default=0.0
        )
        partner_share: Share = field(
            "Share of last year's surplus after tax paid to a partner (dividend)", default=0.0
        )

    def validate(self) -> None:
        i = self.inputs
        if i.council_share + i.partner_share > 1:
            raise InputError(
                f"profit_share: council_share {i.council_share:g} and partner_share "
                f"{i.partner_share:g} add up to more than the whole surplus; give shares that "
                "add up to 1 or less"
            )

    def build(self, ctx: BuildContext) -> list[Line]:
        s = self.sheet
        if ctx.timeline.freq == "annual":
            last_year = previous("surplus_after_tax")
        else:  # the year's total at its end, paid in the first period of the next year
            last_year = year_start() * previous("surplus_after_tax_to_date")
        surplus = Line(
            "distributable_surplus",
            max_(last_year, 0),
            label="Surplus after tax of the year before (nothing out of a loss)",
            sheet=s,
            section="Profit share",
        )
        return [
            surplus,
            Line(
                "profit_share_council",
                surplus * ctx.input("council_share"),
                label="Profit share paid to the council",
                sheet=s,
                section="Profit share",
            ),
            Line(
                "profit_share_partner",
                surplus * ctx.input("partner_share"),
                label="Dividend paid to the partner",
                sheet=s,
                section="Profit share",
            ),
        ]
