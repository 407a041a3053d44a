"""Components: the parts of a business case (contract income, staff costs, overheads...).

A component is a typed, validated set of inputs (one pydantic schema, shared by Python
construction and TOML case files) and a ``build`` method that turns them into lines on the
shared timeline. Components never read files and never write Excel; the business case composes
them into one :class:`~mutualfin.engine.Model`.

Writing one::

    class Contract(Component):
        key = "contract"            # prefix of its inputs: "contract.annual_value"
        sheet = "Income"            # workbook sheet of its lines

        class Inputs(ComponentInputs):
            annual_value: Money = field("Contract value in the first year")
            indexation: Fraction = field("Annual indexation", default=0.0)

        def build(self, ctx):
            value, index = ctx.input("annual_value"), ctx.input("indexation")
            return [Line("contract_income", value * growth(index), sheet=self.sheet)]

    Contract(annual_value=4_200_000, indexation=0.02)
    Contract.from_dict({"annual_value": {"value": 4.2e6, "source": "draft contract"}})

Every input value may be given plainly or as a table ``{value, source, label, uncertainty}``;
``source`` is shown beside the input in the workbook and ``uncertainty`` (e.g.
``{triangular = [0.01, 0.02, 0.04]}``) is used by risk analysis.

Text a finance officer would type is read as meant (:func:`friendly_value`): a rate or ratio
as a percentage, ``"3%"`` for 0.03, and a date in UK day-first form, ``"01/04/2026"`` for 1
April 2026. Each such reading is kept in the component's ``readings`` (input -> what was given
and how it was read), which the workbook's Inputs sheet echoes back.
"""

from __future__ import annotations

import datetime as dt
import difflib
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Annotated, Any, ClassVar

import numpy as np
from annotated_types import Ge, Gt, Le, Lt
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError, core_schema

from mutualfin.core.bounds import Bounds
from mutualfin.core.calendar import DATE_FORMATS, parse_date
from mutualfin.core.checks import check_text
from mutualfin.core.distributions import PERT, Distribution, Normal, Triangular, Uniform
from mutualfin.engine.nodes import Entities, Input, Line
from mutualfin.engine.timeline import Timeline
from mutualfin.errors import CaseFileError, InputError, UnitError

__all__ = [
    "MAX_MONEY",
    "BuildContext",
    "Component",
    "ComponentInputs",
    "Count",
    "Fraction",
    "FractionSeries",
    "FreeText",
    "Limit",
    "Money",
    "MoneySeries",
    "Months",
    "OneLine",
    "Ratio",
    "Share",
    "SignedMoney",
    "Years",
    "bounds_of",
    "component_registry",
    "field",
    "friendly_value",
    "parse_uncertainty",
    "register_component",
]


@dataclass(frozen=True)
class Unit:
    """Annotation carrying an input's unit (GBP, fraction, ...)."""

    name: str


def _not_a_flag(value: Any) -> Any:
    """Refuse true/false where a number is meant (pydantic would read true as 1)."""
    if isinstance(value, bool | np.bool_):
        raise ValueError("true/false is not a number; give the amount, e.g. 40000 or 0.02")
    return value


_Number = BeforeValidator(_not_a_flag)


@dataclass(frozen=True)
class Limit(Bounds):
    """Bounds of a numeric input, declared in its schema with the reason said when broken.

    The one place an input's limits are written: pydantic checks a value given in Python or
    a case file against them, and :func:`bounds_of` hands the same limits (with pydantic's
    own ``ge``/``gt``/``le``/``lt``) to the model's :class:`~mutualfin.engine.Input`, which
    checks overrides, simulation draws and ``verify --live`` edits against them::

        payment_lag_months: Annotated[Count, Limit(0, 12, whole=True, why="1 is arrears")]
    """

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        return core_schema.no_info_after_validator_function(self._validate, handler(source))

    def _validate(self, value: Any) -> Any:
        if value is None:
            return value
        found = self.problem(np.asarray(value, dtype=float))
        if found is not None:
            v, why = found
            raise PydanticCustomError(
                "mutualfin_bounds", "{value} {reason}", {"value": f"{v:g}", "reason": why}
            )
        return value


#: text on one line (a name): no control characters, at most MAX_LINE_CHARS characters
OneLine = Annotated[str, AfterValidator(lambda v: check_text(v, ""))]
#: free text (a source, a description): no control characters but tabs and line breaks
FreeText = Annotated[str, AfterValidator(lambda v: check_text(v, "", one_line=False))]

#: the most money an input may be: more than any council's whole budget, so a larger figure
#: is a typing mistake (pence for pounds, extra zeros), refused before it spoils the figures
MAX_MONEY = 10_000_000_000.0
_PLAUSIBLE = Limit(
    -MAX_MONEY,
    MAX_MONEY,
    why="more than any council's whole budget: check the figure is pounds, not pence, and "
    "count the zeros",
)

# Annotated types for component inputs: unit + bounds, validated by pydantic
Money = Annotated[float, Unit("GBP"), Field(ge=0, allow_inf_nan=False), _Number, _PLAUSIBLE]
SignedMoney = Annotated[float, Unit("GBP"), Field(allow_inf_nan=False), _Number, _PLAUSIBLE]
Fraction = Annotated[float, Unit("fraction"), Field(ge=-1, le=1, allow_inf_nan=False), _Number]
Ratio = Annotated[float, Unit("ratio"), Field(ge=0, allow_inf_nan=False), _Number]
Count = Annotated[float, Unit("count"), Field(ge=0, allow_inf_nan=False), _Number]
Years = Annotated[float, Unit("years"), Field(ge=0, allow_inf_nan=False), _Number]
Months = Annotated[float, Unit("months"), Field(ge=0, allow_inf_nan=False), _Number]
#: a share of something, from 0 to 1
Share = Annotated[Fraction, Limit(0, 1, why="give a share from 0 to 1 (0.05 for 5%)")]
_Frac = Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False), _Number]
_Money = Annotated[float, Field(ge=0, allow_inf_nan=False), _Number, _PLAUSIBLE]
FractionSeries = Annotated[_Frac | list[_Frac], Unit("fraction")]
MoneySeries = Annotated[_Money | list[_Money], Unit("GBP")]

_META_KEYS = {"value", "source", "label", "uncertainty"}


def _find_unit(annotation: Any) -> str | None:
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, Unit):
            return meta.name
    for arg in getattr(annotation, "__args__", ()):
        if arg is type(None):
            continue
        found = _find_unit(arg)
        if found is not None:
            return found
    return None


def bounds_of(annotation: Any) -> Bounds | None:
    """The bounds a schema declares for a field (a ``FieldInfo``) or an annotated type:
    pydantic's ``ge``/``gt``/``le``/``lt`` and every :class:`Limit`, all of which must hold
    (for a series, those of its items too). None when it declares none.

    >>> bounds_of(Fraction).describe()
    'from -1 to 1'
    """
    found: list[Bounds] = []

    def meta(m: Any) -> None:
        if isinstance(m, Bounds):
            found.append(Bounds(m.low, m.high, m.low_open, m.high_open, m.whole, m.why, m.parts))
        elif isinstance(m, Ge):
            found.append(Bounds(low=m.ge))
        elif isinstance(m, Gt):
            found.append(Bounds(low=m.gt, low_open=True))
        elif isinstance(m, Le):
            found.append(Bounds(high=m.le))
        elif isinstance(m, Lt):
            found.append(Bounds(high=m.lt, high_open=True))
        elif isinstance(m, FieldInfo):
            walk(m)

    def walk(obj: Any) -> None:
        if isinstance(obj, FieldInfo):
            for m in obj.metadata:
                meta(m)
            walk(obj.annotation)
            return
        for m in getattr(obj, "__metadata__", ()):
            meta(m)
        for arg in getattr(obj, "__args__", ()):
            walk(arg)

    walk(annotation)
    if not found:
        return None
    out = found[0]
    for b in found[1:]:
        out = out & b
    return out


def field(description: str, default: Any = ..., **kwargs: Any) -> Any:
    """A component input: its description (the label in the workbook) and default."""
    return Field(default, description=description, **kwargs)


class ComponentInputs(BaseModel):
    """Base of every component's input schema: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def parse_uncertainty(spec: Any, where: str) -> Distribution:
    """``{triangular = [low, mode, high]}``, ``{uniform = [low, high]}``,
    ``{normal = [mean, sd]}`` or ``{pert = [low, mode, high]}``."""
    kinds = {
        "triangular": (Triangular, 3),
        "uniform": (Uniform, 2),
        "normal": (Normal, 2),
        "pert": (PERT, 3),
    }
    if isinstance(spec, Distribution):
        return spec
    if not isinstance(spec, Mapping) or len(spec) != 1:
        raise InputError(
            f"{where}.uncertainty: give one distribution, e.g. {{ triangular = [0.01, 0.02, "
            f"0.04] }}; allowed: {', '.join(kinds)}"
        )
    ((kind, params),) = spec.items()
    if kind not in kinds:
        close = difflib.get_close_matches(kind, kinds, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(kinds)}"
        raise InputError(f"{where}.uncertainty: unknown distribution {kind!r}{hint}")
    cls, n = kinds[kind]
    if not isinstance(params, Sequence) or isinstance(params, str) or len(params) != n:
        raise InputError(f"{where}.uncertainty.{kind}: needs {n} numbers, got {params!r}")
    try:
        return cls(*params)
    except InputError as exc:
        raise InputError(f"{where}.uncertainty: {exc}") from None
    except TypeError:
        raise InputError(f"{where}.uncertainty.{kind}: {params!r} must be numbers") from None


#: units whose inputs may be typed as a percentage ("3%" for 0.03)
PERCENT_UNITS = ("fraction", "ratio")


def _accepts(annotation: Any, kind: type) -> bool:
    """Whether ``annotation`` (through Annotated, unions and Optional) accepts ``kind``."""
    if annotation is kind:
        return True
    return any(_accepts(a, kind) for a in typing.get_args(annotation) if a is not type(None))


def _list_item(annotation: Any) -> Any:
    """The item type of ``list[...]`` within ``annotation`` (None if it has no list)."""
    if typing.get_origin(annotation) is list:
        return (typing.get_args(annotation) or (None,))[0]
    for arg in typing.get_args(annotation):
        if not isinstance(arg, type) or typing.get_origin(arg) is not None:
            found = _list_item(arg)
            if found is not None:
                return found
    return None


def _annotation(info: FieldInfo) -> Any:
    """A field's annotation with the metadata pydantic keeps apart (its unit, its bounds)."""
    if info.metadata:
        return typing.Annotated[(info.annotation, *info.metadata)]
    return info.annotation


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def friendly_value(
    value: Any, annotation: Any, where: str, readings: dict[str, str], unit: str | None = None
) -> Any:
    """``value`` with text a person would type read as meant, for an input of ``annotation``.

    - a percentage for a rate or ratio (unit "fraction" or "ratio"): ``"3%"`` is 0.03,
      ``"-1.5%"`` is -0.015;
    - a date in ISO or UK day-first form: ``"01/04/2026"`` is 1 April 2026 (the roster's
      parser, :func:`mutualfin.core.calendar.parse_date`);
    - the same within a list (one rate per period) and within tables (a grant's date).

    Each reading of text that was not already in the plain form (a percentage, a day-first
    date) is recorded in ``readings`` under ``where``. Anything else is returned as it is, for
    the schema to check. Text that looks meant (ends in "%", or has the shape of a date) but
    cannot be read is an :class:`~mutualfin.errors.InputError` naming ``where`` and the forms
    accepted. ``unit`` is the unit of an enclosing series, for its items.

    >>> seen = {}
    >>> friendly_value("3%", Fraction, "contract.indexation", seen), seen
    (0.03, {'contract.indexation': '"3%" read as 0.03 (3%)'})
    """
    unit = _find_unit(annotation) or unit
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%") and unit in PERCENT_UNITS:
            try:
                number = float(text[:-1].replace(",", "").strip())
            except ValueError:
                number = float("nan")
            if number != number or number in (float("inf"), float("-inf")):
                raise InputError(
                    f"{where}: {value!r} is not a percentage; give a number with a % sign, "
                    f'e.g. "3%", or the fraction 0.03'
                )
            out = round(number / 100, 12)
            readings[where] = f'"{text}" read as {out:g} ({number:g}%)'
            return out
        if _accepts(annotation, dt.date):
            parsed = parse_date(text)
            if parsed is None:
                if any(ch in text for ch in "/-") and any(ch.isdigit() for ch in text):
                    forms = ", ".join(dt.date(2026, 4, 1).strftime(f) for f in DATE_FORMATS)
                    raise InputError(
                        f"{where}: {value!r} is not a date; give day, month and year, e.g. "
                        f"{forms} (UK dates are day first)"
                    )
                return value
            if text != parsed.isoformat():
                readings[where] = (
                    f'"{text}" read as {parsed.isoformat()} ({parsed.day} '
                    f"{parsed.strftime('%B %Y')})"
                )
            return parsed
        return value
    if isinstance(value, list):
        item = _list_item(annotation)
        if item is None:
            return value
        return [
            friendly_value(v, item, f"{where}[{k}]", readings, unit) for k, v in enumerate(value)
        ]
    model = _model_of(annotation)
    if model is not None and isinstance(value, Mapping):
        fields = model.model_fields
        return {
            k: friendly_value(v, _annotation(fields[k]), f"{where}.{k}", readings)
            if k in fields
            else v
            for k, v in value.items()
        }
    return value


def _is_branch(part: str) -> bool:
    return "float" in part or part.startswith("list[")


def _pydantic_error(key: str, exc: ValidationError) -> InputError:
    """One plain message per problem: ``key.field: value: what is wrong``.

    A number-or-list input reports each union branch; keep the branch matching what was
    given (a list's items for a list, the number otherwise) and drop the branch names.
    """
    parts: list[str] = []
    for err in exc.errors():
        raw = [str(x) for x in err["loc"]]
        branch = raw[1] if len(raw) > 1 and _is_branch(raw[1]) else None
        given = err.get("input")
        if branch is not None:
            is_list_branch = branch.startswith("list[")
            value_is_list = isinstance(given, list) or len(raw) > 2
            if is_list_branch != value_is_list:
                continue
        loc = ".".join(x for x in raw if not _is_branch(x))
        msg = err["msg"].removeprefix("Value error, ")
        msg = msg[:1].lower() + msg[1:]
        if err["type"] == "mutualfin_bounds":
            parts.append(f"{key}.{loc}: {msg}")
        elif err["type"] == "extra_forbidden":
            parts.append(f"{key}.{loc}: unknown input")
        elif err["type"] == "missing":
            parts.append(f"{key}.{loc}: missing; add it with its value")
        else:
            parts.append(f"{key}.{loc}: {given!r}: {msg}")
    if not parts:  # every error was a union branch not matching: report them all plainly
        parts = [
            f"{key}.{'.'.join(str(x) for x in e['loc'] if not _is_branch(str(x)))}: "
            f"{e.get('input')!r}: {e['msg'][:1].lower() + e['msg'][1:]}"
            for e in exc.errors()
        ]
    return InputError("; ".join(dict.fromkeys(parts)))


#: component classes by case-file key, filled as classes are defined (see Component)
_REGISTRY: dict[str, type[Component]] = {}


def register_component(cls: type[Component]) -> type[Component]:
    """Make ``cls`` the component for its ``key`` in case files, replacing any class
    registered before it (a decorator). Classes register themselves when defined; this is
    for replacing one on purpose."""
    if not (isinstance(cls, type) and issubclass(cls, Component) and cls.key):
        raise CaseFileError(f"register_component needs a Component subclass with a key: {cls!r}")
    _REGISTRY[cls.key] = cls
    return cls


def component_registry() -> dict[str, type[Component]]:
    """Component classes by their case-file key (a copy)."""
    return dict(_REGISTRY)


class Component:
    """Base class of the parts of a business case (see the module docstring)."""

    key: ClassVar[str] = ""
    sheet: ClassVar[str] = "Calculations"
    Inputs: ClassVar[type[ComponentInputs]] = ComponentInputs
    #: line name -> role in a business case's statements (see Line's ``role``)
    roles: ClassVar[dict[str, str]] = {}
    #: built from a staff roster: case files pass it as ``from_dict(table, roster=...)``
    needs_roster: ClassVar[bool] = False
    #: input name -> where its default value comes from (shown when the case does not set it)
    default_sources: ClassVar[dict[str, str]] = {}
    #: inputs of the first release that now live elsewhere: name -> where, and why
    moved: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Register every component class with a ``key`` for case files, by being defined.

        A class whose key is already taken by another class does not displace it (a test's
        or a notebook's own ``contract`` never replaces the shipped one by accident); use
        :func:`register_component` to replace a registered class on purpose.
        """
        super().__init_subclass__(**kwargs)
        key = cls.__dict__.get("key")
        if key and key not in _REGISTRY:
            _REGISTRY[key] = cls

    def __init__(self, **values: Any):
        self._meta: dict[str, dict[str, Any]] = {}
        plain: dict[str, Any] = {}
        for name, raw in values.items():
            if isinstance(raw, Mapping):
                extra = set(raw) - _META_KEYS
                if extra or "value" not in raw:
                    raise InputError(
                        f"{self.key}.{name}: a table must have 'value' and may have "
                        f"{', '.join(sorted(_META_KEYS - {'value'}))}"
                        + (f"; unknown key {sorted(extra)[0]!r}" if extra else "")
                    )
                meta = {k: v for k, v in raw.items() if k != "value"}
                for key in ("source", "label"):
                    if key in meta:
                        meta[key] = check_text(
                            meta[key], f"{self.key}.{name}.{key}", one_line=False
                        )
                if "uncertainty" in meta and name in self.Inputs.model_fields:
                    if self._unit_or_none(name) in (None, "flag"):
                        raise InputError(
                            f"{self.key}.{name}.uncertainty: only a number can be uncertain; "
                            f"{name} is not one (a date, a choice or a yes/no), so an "
                            "uncertainty on it would be ignored. Remove it, and analyse other "
                            "values of it as scenarios"
                        )
                if "uncertainty" in meta:
                    meta["uncertainty"] = parse_uncertainty(
                        meta["uncertainty"], f"{self.key}.{name}"
                    )
                self._meta[name] = meta
                plain[name] = raw["value"]
            else:
                plain[name] = raw
        fields = self.Inputs.model_fields
        #: input -> how text in it was read ("3%" as 0.03, "01/04/2026" as a date)
        self.readings: dict[str, str] = {}
        for name in plain:
            if name in self.moved and name not in fields:
                raise InputError(f"{self.key}.{name}: {self.moved[name]}")
            if name not in fields:
                close = difflib.get_close_matches(name, fields, n=1)
                hint = f"did you mean {close[0]!r}?" if close else (f"allowed: {', '.join(fields)}")
                raise InputError(f"{self.key}.{name}: unknown input; {hint}")
            plain[name] = friendly_value(
                plain[name], _annotation(fields[name]), f"{self.key}.{name}", self.readings
            )
        try:
            self.inputs = self.Inputs(**plain)
        except ValidationError as exc:
            raise _pydantic_error(self.key, exc) from None
        self.validate()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Component:
        """Build from a mapping such as a case file's table for this component."""
        if not isinstance(data, Mapping):
            raise InputError(f"[{cls.key}] must be a table of inputs, got {data!r}")
        return cls(**dict(data))

    def validate(self) -> None:
        """Checks across inputs (e.g. end after start); raise InputError naming the inputs."""

    def check_case(self, components: Mapping[str, Component]) -> None:
        """Checks that need the case's other components, by key (a roster with LGPS members
        needs an LGPS admission); raise InputError naming what is missing."""

    # -- metadata ----------------------------------------------------------------------------
    @classmethod
    def _unit_or_none(cls, name: str) -> str | None:
        info: FieldInfo = cls.Inputs.model_fields[name]
        for meta in info.metadata:
            if isinstance(meta, Unit):
                return meta.name
        return _find_unit(info.annotation)

    @classmethod
    def unit_of(cls, name: str) -> str:
        """The unit of an input, read from its annotation (also through ``X | None``)."""
        found = cls._unit_or_none(name)
        if found is None:
            raise InputError(f"{cls.key}.{name}: the schema gives it no unit")
        return found

    def build(self, ctx: BuildContext) -> list[Line]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v!r}" for k, v in self.inputs.model_dump().items())
        return f"{type(self).__name__}({values})"


#: how a list of yearly values was laid over the periods, as the Inputs sheet says
_YEARLY_NOTE = {
    "rate": "taking effect at the start of each year",
    "month": "taking effect in its month of effect each year",
    "spread": "spread over the year's months",
    "end": "applied in each year's last period",
}


def expand_yearly(
    values: Any, timeline: Timeline, how: str, month: int | None = None
) -> np.ndarray:
    """One value per financial year laid over the periods of a timeline with months.

    ``how``: "rate" puts each year's value in the first period of its year (a yearly
    uplift compounded by ``growth``; with ``month``, in the period holding the first day of
    that calendar month, the month the uplift takes effect: an annual period takes it at its
    start); the first year's value is not used, as on an annual timeline, where uplifts start
    in the second year. "spread" divides a yearly amount over the year's periods by their
    length; "end" puts each year's value in the year's last period.

    >>> from mutualfin.engine import Timeline
    >>> tl = Timeline(2026, years=2, freq="monthly", monthly_years=1)
    >>> expand_yearly([1200, 2400], tl, "spread").tolist()[-2:]
    [100.0, 2400.0]
    >>> rates = expand_yearly([0.03, 0.04], tl, "rate", month=7)  # July: first year unused
    >>> rates[:12].tolist() == [0.0] * 12, float(rates[-1])
    (True, 0.04)
    """
    v = np.asarray(values, dtype=float)
    if v.shape != (timeline.years,):
        raise InputError(
            f"expand_yearly: {len(v)} values for {timeline.years} financial years"
        )  # pragma: no cover
    by_period = v[timeline.year_of_period]
    if how == "spread":
        return by_period * timeline.year_fraction
    if how == "end":
        return by_period * timeline.year_end
    if how == "rate":
        by_period = np.where(timeline.year_of_period == 0, 0.0, by_period)
        if month is None:
            flag = timeline.year_start
        else:
            monthly = timeline.months == 1
            flag = np.where(monthly, timeline.in_month(month), timeline.year_start)
        return by_period * flag
    raise InputError(f"expand_yearly: how={how!r} must be 'rate', 'spread' or 'end'")


@dataclass
class BuildContext:
    """What a component sees when it builds its lines."""

    timeline: Timeline
    component: Component
    entities: Entities | None = None
    created: dict[str, Input] = dc_field(default_factory=dict)
    #: the case's parameter store (None: the shipped UK parameters); pass it to calculators
    params: Any = None
    #: the case's components by key, for a component whose lines depend on another's
    #: inputs (the staff a transfer makes redundant leave the paybill; the legal form)
    others: Mapping[str, Component] = dc_field(default_factory=dict)
    #: the build contexts of the case's components by key (one Input per name in a model)
    contexts: Mapping[str, BuildContext] = dc_field(default_factory=dict)

    def input_of(self, key: str, name: str) -> Input:
        """Input ``name`` of the case's component ``key`` (the working-capital facility
        draws down to the finance settings' cash floor), the same Input that component uses."""
        other = self.contexts.get(key)
        if other is None:
            raise InputError(
                f"{self.component.key}: needs the case's [{key}] inputs; build it in a "
                "business case"
            )
        return other.input(name)

    def input(self, name: str, yearly: str | None = None, month: int | None = None) -> Input:
        """The component's input ``name`` as a model Input (created once).

        ``yearly`` says what a list with one value per financial year means on a timeline
        with months (see :func:`expand_yearly`): "rate" (a yearly uplift, taking effect at
        the start of each year, or in ``month``), "spread" (pounds a year, spread over the
        year's periods by length) or "end" (applied in each year's last period). Without it
        a list must have one value per period.
        """
        comp = self.component
        full = f"{comp.key}.{name}"
        if full in self.created:
            return self.created[full]
        if name not in comp.Inputs.model_fields:
            raise InputError(f"{full}: not an input of {type(comp).__name__}")  # pragma: no cover
        value = getattr(comp.inputs, name)
        meta = comp._meta.get(name, {})
        info = comp.Inputs.model_fields[name]
        unit = comp.unit_of(name)
        note = ""
        if isinstance(value, list):
            tl = self.timeline
            n = tl.n
            if yearly is not None and tl.freq != "annual" and len(value) == tl.years:
                value = expand_yearly(value, tl, yearly, month)
                key = "month" if yearly == "rate" and month is not None else yearly
                note = f" (one value a financial year, {_YEARLY_NOTE[key]})"
            elif len(value) != n:
                per_year = (
                    f", or one per financial year ({tl.years})"
                    if yearly is not None and tl.freq != "annual"
                    else ""
                )
                raise InputError(
                    f"{full}: has {len(value)} values but the timeline has {n} periods "
                    f"({tl.labels[0]} to {tl.labels[-1]}); give one number for every "
                    f"period{per_year}, or a single number"
                )
            else:
                value = np.asarray(value, dtype=float)
        try:
            inp = Input(
                full,
                value,
                unit=unit,
                label=str(meta.get("label") or info.description or name),
                source=str(
                    meta.get("source")
                    or (
                        "case file (no source given)"
                        if name in comp.inputs.model_fields_set
                        else comp.default_sources.get(
                            name, "mutualfin default (not set in the case)"
                        )
                    )
                )
                + note,
                uncertainty=meta.get("uncertainty"),
                bounds=bounds_of(info),
            )
        except UnitError:
            raise
        if note:  # one value a year laid over the months: how, for whoever reads it back
            inp.yearly = (yearly, month, list(getattr(comp.inputs, name)))
        self.created[full] = inp
        return inp
