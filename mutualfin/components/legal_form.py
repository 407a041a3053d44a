"""The mutual's legal form, and what it decides: corporation tax, rates relief, Employment
Allowance, and whether its welfare services can be VAT-exempt.

The legal form is one input for the whole case (``[legal_form]``): the business case's
corporation tax, :class:`~mutualfin.components.costs.Premises` (rates relief),
:class:`~mutualfin.components.staff.StaffCosts` (Employment Allowance) and the contract's VAT
status (:class:`~mutualfin.components.income.Contract`) all read it, so they cannot disagree.
A case without one is treated as a body that is not a charity, and says so in its
assumptions.

A public service mutual is usually a community interest company (CIC, limited by shares or by
guarantee), a community benefit society (which may be an exempt charity), a co-operative
society, or a company limited by guarantee (which may be a registered charity). The form
matters to the financial case in three places:

* **Corporation tax.** A charity is exempt on the profits of primary-purpose trading
  (Corporation Tax Act 2010 ss.478-479); everyone else pays on their surplus. A CIC cannot be
  a charity (Companies (Audit, Investigations and Community Enterprise) Act 2004 s.26(3)).
* **Business rates.** A charity occupying a property wholly or mainly for charitable purposes
  gets mandatory relief of 80% (Local Government Finance Act 1988 s.43(5)-(6), parameter
  ``business_rates.charity_mandatory_relief``); anyone else, including a CIC, only what the
  billing authority grants as discretionary relief (s.47).
* **Employment Allowance.** Barred where the employer's work is wholly or mainly (50% or
  more) of a public nature, unless it is a charity (NICA 2014 s.3(1)(d); HMRC NIM06530). The
  rule is :func:`mutualfin.tax.employment_allowance`'s; this module only supplies
  ``is_charity`` and the public-work share.

* **VAT.** Welfare services (care, support for vulnerable people, youth work of the kind in
  VATA 1994 Sch.9 Group 7 note 6) are exempt only when supplied by a charity, a state-regulated
  body (registered with a regulator such as the CQC or Ofsted) or a public body (VATA 1994
  Sch.9 Group 7 item 9); supplied by a CIC that is not state-regulated they are standard-rated,
  and the council recovers the VAT it is charged under VATA 1994 s.33.
"""

from __future__ import annotations

import difflib
from typing import Any

from mutualfin.components.base import BuildContext, Component, ComponentInputs, Share, field
from mutualfin.engine.nodes import Expr, Line, param, wrap
from mutualfin.errors import InputError
from mutualfin.uk.tax import EmploymentAllowance, corporation_tax, employment_allowance

__all__ = ["CHARITABLE_FORMS", "LEGAL_FORMS", "LegalForm", "check_legal_form", "legal_form_of"]

#: The legal forms a mutual can take, by the key used in case files, with a readable name.
LEGAL_FORMS: dict[str, str] = {
    "cic_limited_by_shares": "Community interest company limited by shares",
    "cic_limited_by_guarantee": "Community interest company limited by guarantee",
    "community_benefit_society": "Community benefit society (not charitable)",
    "charitable_community_benefit_society": "Charitable community benefit society (exempt charity)",
    "company_limited_by_guarantee": "Company limited by guarantee (not a charity)",
    "company_limited_by_shares": "Company limited by shares",
    "charitable_company_limited_by_guarantee": "Charitable company limited by guarantee "
    "(registered charity)",
    "co_operative_society": "Co-operative society",
}

#: What a case-file input of the first release that the legal form now decides says.
MOVED_TO_LEGAL_FORM = (
    'is decided by the legal form now, one input for the whole case: [legal_form] form = "..." '
    "(with public_work_share there); it decides corporation tax, charity status for the "
    "Employment Allowance and rates relief, and the VAT status of welfare services together. "
    "Move it there"
)

#: The forms that are charities (for corporation tax, rates relief and Employment Allowance).
CHARITABLE_FORMS = frozenset(
    {"charitable_community_benefit_society", "charitable_company_limited_by_guarantee"}
)


def check_legal_form(form: Any, where: str = "legal_form.form") -> str:
    """Return ``form`` if it is one of :data:`LEGAL_FORMS`, else raise InputError listing them.

    >>> check_legal_form("cic_limited_by_shares")
    'cic_limited_by_shares'
    """
    if isinstance(form, str) and form in LEGAL_FORMS:
        return form
    close = difflib.get_close_matches(str(form), list(LEGAL_FORMS), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    if isinstance(form, str) and form.lower().startswith("charitable_cic"):
        hint = "a CIC cannot be a charity (C(AICE) Act 2004 s.26(3)); "
    raise InputError(
        f"{where}: unknown legal form {form!r}; {hint}allowed: {', '.join(LEGAL_FORMS)}"
    )


class LegalForm(Component):
    """The mutual's legal form: corporation tax exposure, rates relief and Employment
    Allowance eligibility.

    Parameters
    ----------
    form : str
        One of :data:`LEGAL_FORMS` (``"cic_limited_by_shares"``,
        ``"charitable_community_benefit_society"``, ...). Anything else is refused with the
        list of allowed forms.
    public_work_share : fraction, default 1.0
        Share of the mutual's work that is of a public nature (a council service delivered
        under contract is public work, HMRC NIM06530). 0.5 or more bars Employment Allowance
        unless the mutual is a charity.
    primary_purpose_share : fraction, default 1.0
        For a charity: share of its trading surplus that comes from primary-purpose trading
        (delivering its charitable purposes), exempt from corporation tax. Ignored for forms
        that are not charities, which pay on all their surplus.

    Lines (sheet "Legal form")
    --------------------------
    ``taxable_share_of_surplus`` (fraction)
        Share of the surplus on which corporation tax is due: 1 for a non-charity,
        ``1 - primary_purpose_share`` for a charity.
    ``mandatory_rates_relief_rate`` (fraction)
        Mandatory business rates relief: 80% for a charity (parameter
        ``business_rates.charity_mandatory_relief``), else 0. Discretionary relief (LGFA 1988
        s.47, the only relief open to a CIC) is granted property by property: an input of
        :class:`mutualfin.costs.Premises`.
    ``employment_allowance_eligible`` (flag)
        1 if the form and public-work share allow the Employment Allowance.

    Examples
    --------
    >>> lf = LegalForm(form="charitable_community_benefit_society", primary_purpose_share=0.75)
    >>> lf.is_charity, lf.taxable_share, lf.employment_allowance_eligible
    (True, 0.25, True)
    >>> LegalForm(form="cic_limited_by_shares").employment_allowance_eligible
    False
    """

    key = "legal_form"
    sheet = "Legal form"

    class Inputs(ComponentInputs):
        form: str = field(
            "Legal form of the mutual (see mutualfin.legal_form.LEGAL_FORMS)",
            json_schema_extra={"choices": list(LEGAL_FORMS)},
        )
        public_work_share: Share = field(
            "Share of the work that is of a public nature (0 to 1)", default=1.0
        )
        primary_purpose_share: Share = field(
            "Charity: share of trading surplus from primary-purpose trading (0 to 1)",
            default=1.0,
        )
        state_regulated: bool = field(
            "Registered with a regulator for its welfare services (CQC, Ofsted...), so a "
            "non-charity can make VAT-exempt welfare supplies (VATA 1994 Sch.9 Group 7)",
            default=False,
        )

    def validate(self) -> None:
        check_legal_form(self.inputs.form, f"{self.key}.form")

    # -- what the form decides ----------------------------------------------------------------
    @property
    def name(self) -> str:
        """Readable name of the form."""
        return LEGAL_FORMS[self.inputs.form]

    @property
    def is_charity(self) -> bool:
        """Whether the form is a charity (registered, or exempt as a charitable CBS)."""
        return self.inputs.form in CHARITABLE_FORMS

    @property
    def taxable_share(self) -> float:
        """Share of the surplus liable to corporation tax: 1, or for a charity the share from
        trading outside its primary purpose (CTA 2010 ss.478-479). The small-trading
        exemption is not modelled."""
        return 1.0 - self.inputs.primary_purpose_share if self.is_charity else 1.0

    @property
    def can_supply_exempt_welfare(self) -> bool:
        """Whether its welfare services can be VAT-exempt: a charity or a state-regulated
        body (VATA 1994 Sch.9 Group 7 item 9 and note 8)."""
        return self.is_charity or bool(self.inputs.state_regulated)

    @property
    def mandatory_rates_relief(self) -> bool:
        """Whether mandatory 80% business rates relief applies (charities only, LGFA 1988
        s.43(5)); assumes the property is used wholly or mainly for charitable purposes."""
        return self.is_charity

    def employment_allowance(
        self, employer_nics: Any, tax_year: Any, prior_year_employer_nics: float | None = None
    ) -> EmploymentAllowance:
        """The Employment Allowance for this form (delegates to
        :func:`mutualfin.tax.employment_allowance` with ``is_charity`` and
        ``public_work_share``)."""
        return employment_allowance(
            employer_nics,
            tax_year,
            public_work_share=self.inputs.public_work_share,
            is_charity=self.is_charity,
            prior_year_employer_nics=prior_year_employer_nics,
        )

    @property
    def employment_allowance_reason(self) -> str:
        """Why the form can or cannot claim, from the public-nature rule (the year-specific
        £100,000 prior-year rule of 2020/21 to 2024/25 is not applied here; use
        :meth:`employment_allowance` for a given year)."""
        # 2025/26: the public-nature bar applies, the prior-year NICs limit had been removed
        return self.employment_allowance(0.0, "2025/26").reason

    @property
    def employment_allowance_eligible(self) -> bool:
        """Whether the public-nature rule allows the Employment Allowance."""
        return self.employment_allowance(0.0, "2025/26").eligible

    def corporation_tax(self, surplus: Any, whole_year: bool = False) -> Expr:
        """Corporation tax on a surplus line, for this form: the taxable share of the surplus
        through :func:`mutualfin.tax.corporation_tax` (marginal relief; no tax on a loss).

        ``surplus`` is a line or expression (GBP per period, positive = surplus; with
        ``whole_year``, a whole financial year's, booked in one period). The taxable share is a
        constant of the form, so charities pay only on non-primary-purpose trading.
        """
        share = self.taxable_share
        profit = wrap(surplus) if share == 1 else wrap(surplus) * share
        return corporation_tax(profit, whole_year=whole_year)

    # -- lines -------------------------------------------------------------------------------
    def build(self, ctx: BuildContext) -> list[Line]:
        mandatory = (
            param("business_rates.charity_mandatory_relief") if self.mandatory_rates_relief else 0.0
        )
        if self.is_charity:
            taxable: Any = 1 - ctx.input("primary_purpose_share")
        else:
            taxable = 1.0
        ea = 1.0 if self.employment_allowance_eligible else 0.0
        return [
            Line(
                "taxable_share_of_surplus",
                taxable,
                unit="fraction",
                label=f"Share of surplus liable to corporation tax ({self.name})",
                kind="rate",
                sheet=self.sheet,
            ),
            Line(
                "mandatory_rates_relief_rate",
                mandatory,
                unit="fraction",
                label="Mandatory business rates relief (charity 80%, LGFA 1988 s.43)",
                kind="rate",
                sheet=self.sheet,
            ),
            Line(
                "employment_allowance_eligible",
                ea,
                unit="flag",
                label=f"Employment Allowance eligible: {self.employment_allowance_reason}"[:250],
                kind="value",
                sheet=self.sheet,
            ),
        ]


class _NoLegalForm:
    """What a case without ``[legal_form]`` is treated as: a body that is not a charity, all
    of whose work is of a public nature, not state-regulated."""

    name = "Legal form not given: treated as a body that is not a charity"
    is_charity = False
    taxable_share = 1.0
    mandatory_rates_relief = False
    can_supply_exempt_welfare = False
    employment_allowance_eligible = False
    employment_allowance_reason = (
        "not eligible: no [legal_form] given, so treated as a body that is not a charity doing "
        "public work (NICA 2014 s.3(1)(d); HMRC NIM06530)"
    )

    def corporation_tax(self, surplus: Any, whole_year: bool = False) -> Expr:
        return corporation_tax(wrap(surplus), whole_year=whole_year)


NO_LEGAL_FORM = _NoLegalForm()


def legal_form_of(ctx: BuildContext) -> LegalForm | _NoLegalForm:
    """The case's legal form (from a component's BuildContext), or what a case without one is
    treated as."""
    found = ctx.others.get("legal_form") if ctx.others else None
    return found if isinstance(found, LegalForm) else NO_LEGAL_FORM
