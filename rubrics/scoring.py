"""The scoring contract: pure Python, exact arithmetic, no Django.

Every number is a ``Fraction`` until it is shown; ``display`` rounds to one
decimal, half away from zero. The rules (see README, "Scoring"):

* a criterion rated at level value v scores v / max (``normalise: max``), or
  (v - lowest) / (highest - lowest) (``normalise: range``), so the lowest level is 0 %;
  points stay weight * value either way (the framework's own arithmetic);
* N/A and unanswered criteria leave both numerator and denominator;
* a domain's score is the weighted mean of its rated criteria;
* the overall score is the weighted mean of domain scores (``aggregate:
  domains``) or of all rated criteria (``aggregate: criteria``);
* the band is the last whose threshold is reached by the unrounded score
  (or by the points earned), skipping bands that require a pass when the
  assessment does not pass;
* a rubric with a pass rule passes when the threshold is reached, every
  critical criterion is rated at or above ``critical_min_value`` and every gated
  domain (``min_score`` or ``min_points``) is scored at or above its minimum;
* a profile rubric (``overall: none``) has no percentages at all: no overall,
  domain or criterion score, band or pass; its result is the level profile (how
  many criteria sit at each level, per domain and overall).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

from qa_tool.core.numbers import display_float

AGGREGATE_DOMAINS = "domains"
AGGREGATE_CRITERIA = "criteria"
NORMALISE_MAX = "max"
NORMALISE_RANGE = "range"
OVERALL_SCORE = "score"
OVERALL_NONE = "none"
HUNDRED = Fraction(100)


def exact(number: Any) -> Fraction:
    """An exact fraction for a number read from a file or the database.

    Floats go through their shortest decimal repr, so 1.1 means 11/10 and not
    the binary approximation.
    """
    if isinstance(number, Fraction):
        return number
    if isinstance(number, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(number, float):
        return Fraction(Decimal(repr(number)))
    if isinstance(number, int | Decimal):
        return Fraction(number)
    if isinstance(number, str):
        return Fraction(Decimal(number))
    raise TypeError(f"not a number: {number!r}")


def plain_number(value: Fraction) -> int | Decimal:
    """An exact number without rounding: an int when whole, else its exact decimal.

    Points are sums of products of decimals, so their expansion always terminates.
    """
    if value.denominator == 1:
        return value.numerator
    decimal = Decimal(value.numerator) / Decimal(value.denominator)
    if Fraction(decimal) != value:
        raise ValueError(f"{value} has no finite decimal expansion")
    return decimal.normalize()


def canonical_number(value: Any) -> int | float:
    """1, 1.0 and "1" are the same number: an int when whole, else a float of its decimal."""
    if isinstance(value, Fraction):
        decimal = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        decimal = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if decimal == decimal.to_integral_value():
        return int(decimal)
    return float(decimal.normalize())


def canonical_number_text(value: Any) -> str:
    """The key of a level in descriptors and recommendations: "0", "1", "2.5"."""
    return str(canonical_number(value))


# --- the rubric as scoring sees it ---------------------------------------------------------


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    weight: Fraction = Fraction(1)
    critical: bool = False
    allow_na: bool = False


@dataclass(frozen=True)
class DomainSpec:
    code: str
    criteria: tuple[CriterionSpec, ...]
    weight: Fraction = Fraction(1)
    # A gate: the pass rule also needs this domain at or above one of these.
    min_score: Fraction | None = None
    min_points: Fraction | None = None

    @property
    def gated(self) -> bool:
        return self.min_score is not None or self.min_points is not None


@dataclass(frozen=True)
class Band:
    label: str
    position: int = 0
    min_percent: Fraction | None = None
    min_points: Fraction | None = None
    requires_pass: bool = False


@dataclass(frozen=True)
class PassRule:
    critical_min_value: Fraction
    min_score: Fraction | None = None
    min_points: Fraction | None = None


@dataclass(frozen=True)
class RubricSpec:
    scale: tuple[Fraction, ...]
    domains: tuple[DomainSpec, ...]
    aggregate: str = AGGREGATE_DOMAINS
    bands: tuple[Band, ...] = ()
    pass_rule: PassRule | None = None
    normalise: str = NORMALISE_MAX
    overall: str = OVERALL_SCORE

    @property
    def max_value(self) -> Fraction:
        return self.scale[-1]

    @property
    def min_value(self) -> Fraction:
        return self.scale[0]

    @property
    def has_score(self) -> bool:
        """False for a profile rubric (``overall: none``): levels are counted, not scored."""
        return self.overall != OVERALL_NONE

    def ratio(self, value: Fraction) -> Fraction:
        """The share of the scale a level reaches, 0..1: the one rule turning a level into a
        percentage (``normalise``). The importer guarantees at least two increasing,
        non-negative levels, so neither divisor is 0."""
        if self.normalise == NORMALISE_RANGE:
            return (value - self.min_value) / (self.max_value - self.min_value)
        return value / self.max_value

    def level_percent(self, value: Fraction) -> Fraction:
        """``ratio`` as a percent (a criterion's score at that level)."""
        return HUNDRED * self.ratio(value)

    def criteria(self) -> Iterable[CriterionSpec]:
        for domain in self.domains:
            yield from domain.criteria


def spec_from_document(doc: Mapping[str, Any]) -> RubricSpec:
    """Build the scoring view of a validated, normalised rubric document."""

    def label_of(text: Any) -> str:
        return text["en"] if isinstance(text, Mapping) else str(text)

    scale = tuple(exact(level["value"]) for level in doc["scale"])
    domains = tuple(
        DomainSpec(
            code=d["code"],
            weight=exact(d.get("weight", 1)),
            criteria=tuple(
                CriterionSpec(
                    code=c["code"],
                    weight=exact(c.get("weight", 1)),
                    critical=bool(c.get("critical", False)),
                    allow_na=bool(c.get("allow_na", False)),
                )
                for c in d["criteria"]
            ),
            min_score=exact(d["min_score"]) if "min_score" in d else None,
            min_points=exact(d["min_points"]) if "min_points" in d else None,
        )
        for d in doc["domains"]
    )
    bands = tuple(
        Band(
            label=label_of(b["label"]),
            position=i,
            min_percent=exact(b["min"]) if "min" in b else None,
            min_points=exact(b["min_points"]) if "min_points" in b else None,
            requires_pass=bool(b.get("requires_pass", False)),
        )
        for i, b in enumerate(doc.get("bands") or ())
    )
    pass_rule = None
    if doc.get("pass"):
        p = doc["pass"]
        pass_rule = PassRule(
            critical_min_value=exact(p.get("critical_min_value", scale[-1])),
            min_score=exact(p["min_score"]) if "min_score" in p else None,
            min_points=exact(p["min_points"]) if "min_points" in p else None,
        )
    return RubricSpec(
        scale=scale,
        domains=domains,
        aggregate=doc.get("aggregate", AGGREGATE_DOMAINS),
        bands=bands,
        pass_rule=pass_rule,
        normalise=doc.get("normalise", NORMALISE_MAX),
        overall=doc.get("overall", OVERALL_SCORE),
    )


# --- answers and results -------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A criterion's answer: a level value, or N/A (``value`` None, ``na`` True)."""

    value: Fraction | None = None
    na: bool = False

    @classmethod
    def of(cls, raw: Any) -> Answer:
        if isinstance(raw, Answer):
            return raw
        if raw == "na":
            return NA
        return cls(value=exact(raw))


NA = Answer(na=True)


@dataclass(frozen=True)
class CriterionResult:
    code: str
    value: Fraction | None
    na: bool
    score: Fraction | None  # percent; None when N/A, unanswered or on a profile rubric

    @property
    def answered(self) -> bool:
        return self.na or self.value is not None


@dataclass(frozen=True)
class Profile:
    """How many criteria sit at each level of the scale (every level, in scale order,
    zeros included), with N/A and unanswered criteria counted apart."""

    levels: tuple[tuple[Fraction, int], ...]
    na: int = 0
    unanswered: int = 0

    @property
    def rated(self) -> int:
        return sum(count for _value, count in self.levels)

    @property
    def total(self) -> int:
        return self.rated + self.na + self.unanswered

    def count(self, value: Fraction) -> int:
        return dict(self.levels).get(value, 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "levels": [
                {"value": _json_number(value), "count": count} for value, count in self.levels
            ],
            "na": self.na,
            "unanswered": self.unanswered,
        }


def profile(scale: Iterable[Fraction], criteria: Iterable[CriterionResult]) -> Profile:
    """The level profile of ``criteria`` over ``scale`` (see ``Profile``)."""
    counts = dict.fromkeys(scale, 0)
    na = unanswered = 0
    for c in criteria:
        if c.na:
            na += 1
        elif c.value is None:
            unanswered += 1
        elif c.value in counts:
            counts[c.value] += 1
    return Profile(levels=tuple(counts.items()), na=na, unanswered=unanswered)


@dataclass(frozen=True)
class DomainResult:
    code: str
    score: Fraction | None
    answered: int
    total: int
    criteria: tuple[CriterionResult, ...]
    points: Fraction = field(default_factory=Fraction)
    # The rubric's scale, for the profile: counted only when read (lists never read it).
    scale: tuple[Fraction, ...] = field(default=(), repr=False, compare=False)

    @cached_property
    def profile(self) -> Profile:
        return profile(self.scale, self.criteria)


@dataclass(frozen=True)
class Result:
    completion: Fraction
    score: Fraction | None
    points: Fraction
    points_possible: Fraction
    band: Band | None
    passed: bool | None
    failed_critical: tuple[str, ...]
    domains: tuple[DomainResult, ...]
    answered: int
    total: int
    # Gated domains below their minimum (or unscored), in rubric order.
    failed_domains: tuple[str, ...] = ()
    # False for a profile rubric (``overall: none``): no overall score, band or pass.
    has_score: bool = True
    scale: tuple[Fraction, ...] = field(default=(), repr=False, compare=False)

    @property
    def criteria(self) -> tuple[CriterionResult, ...]:
        return tuple(c for d in self.domains for c in d.criteria)

    @cached_property
    def profile(self) -> Profile:
        return profile(self.scale, self.criteria)

    @property
    def complete(self) -> bool:
        return self.answered == self.total

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON body (without the assessment's identity). A profile rubric
        has ``"overall": null`` and a ``profile`` overall and per domain instead."""
        overall = (
            {
                "score": _json_pct(self.score),
                "points": _json_number(self.points),
                "points_possible": _json_number(self.points_possible),
                "band": self.band.label if self.band else None,
                "passed": self.passed,
                "failed_critical": list(self.failed_critical),
                "failed_domains": list(self.failed_domains),
            }
            if self.has_score
            else None
        )

        def domain(d: DomainResult) -> dict[str, Any]:
            body: dict[str, Any] = {"code": d.code, "score": _json_pct(d.score)}
            if not self.has_score:
                body["profile"] = d.profile.to_dict()
            return body

        return {
            "completion": _json_pct(self.completion),
            "overall": overall,
            **({} if self.has_score else {"profile": self.profile.to_dict()}),
            "domains": [domain(d) for d in self.domains],
            "criteria": [
                {
                    "code": c.code,
                    "value": None if c.value is None else _json_number(c.value),
                    "na": c.na,
                    "score": _json_pct(c.score),
                }
                for d in self.domains
                for c in d.criteria
            ],
        }


def _json_pct(value: Fraction | None) -> float | None:
    return display_float(value)


def _json_number(value: Fraction) -> float | int:
    number = plain_number(value)
    return number if isinstance(number, int) else float(number)


@dataclass
class _Sums:
    weighted: Fraction = field(default_factory=Fraction)
    weights: Fraction = field(default_factory=Fraction)

    def add(self, weight: Fraction, value: Fraction) -> None:
        self.weighted += weight * value
        self.weights += weight

    def mean(self) -> Fraction | None:
        return self.weighted / self.weights if self.weights else None


@dataclass
class _Tally:
    """Running totals over the whole rubric while its domains are scored."""

    overall: _Sums = field(default_factory=_Sums)
    points: Fraction = field(default_factory=Fraction)
    possible: Fraction = field(default_factory=Fraction)
    answered: int = 0
    failed_critical: list[str] = field(default_factory=list)


def score(spec: RubricSpec, answers: Mapping[str, Any]) -> Result:
    """Score ``answers`` (criterion code -> Answer, level value or "na") against ``spec``.

    Codes not in the rubric are ignored; validating answers is the caller's job.
    """
    tally = _Tally()
    domain_results = tuple(_score_domain(spec, domain, answers, tally) for domain in spec.domains)
    total = sum(len(d.criteria) for d in spec.domains)
    overall_mean = tally.overall.mean()
    overall_score = None if overall_mean is None or not spec.has_score else HUNDRED * overall_mean
    failed_domains = tuple(
        d.code
        for d, result in zip(spec.domains, domain_results, strict=True)
        if not _gate_met(d, result)
    )
    passed = _passed(spec, overall_score, tally.points, tally.failed_critical, failed_domains)
    return Result(
        completion=HUNDRED * tally.answered / total if total else Fraction(0),
        score=overall_score,
        points=tally.points,
        points_possible=tally.possible,
        band=_band(spec, overall_score, tally.points, passed),
        passed=passed,
        failed_critical=tuple(tally.failed_critical),
        domains=domain_results,
        answered=tally.answered,
        total=total,
        failed_domains=failed_domains,
        has_score=spec.has_score,
        scale=spec.scale,
    )


def gain(spec: RubricSpec, answers: Mapping[str, Any], code: str) -> Fraction | None:
    """Percentage points the overall score would rise if criterion ``code`` alone were at
    the top level, every other answer unchanged. None on a profile rubric (no score to
    rise) or when nothing is rated."""
    parsed = {c: Answer.of(raw) for c, raw in answers.items() if raw is not None}
    rated = rated_gains(spec, parsed)
    if code in rated:
        return rated[code]
    # An unanswered or N/A criterion joins the rated set when raised: score both ways.
    before = score(spec, parsed).score
    after = score(spec, {**parsed, code: Answer(value=spec.max_value)}).score
    if before is None or after is None:
        return None
    return after - before


def rated_gains(spec: RubricSpec, answers: Mapping[str, Any]) -> dict[str, Fraction]:
    """``gain`` of every rated criterion at once, in closed form (exactly the same numbers).

    Raising a rated criterion c of domain d to the top leaves the set of rated criteria
    and of scored domains unchanged, so only its own term moves, by w_c (1 - r_c):

    * ``aggregate: domains``: 100 * W_d * w_c * (1 - r_c) / (S_d * sum of W over scored
      domains), with S_d the weights of d's rated criteria;
    * ``aggregate: criteria``: 100 * w_c * (1 - r_c) / (sum of w over rated criteria).

    Scoring the rubric once per criterion cost 58 ms for 47 criteria and 751 ms for 188 on
    every results page; this is one pass. Empty on a profile rubric."""
    if not spec.has_score:
        return {}
    rated: list[tuple[str, Fraction, Fraction, int]] = []  # code, weight, ratio, domain
    domain_sums: list[Fraction] = []
    for index, domain in enumerate(spec.domains):
        total = Fraction(0)
        for criterion in domain.criteria:
            raw = answers.get(criterion.code)
            answer = Answer.of(raw) if raw is not None else None
            if answer is None or answer.value is None:
                continue
            rated.append((criterion.code, criterion.weight, spec.ratio(answer.value), index))
            total += criterion.weight
        domain_sums.append(total)
    if not rated:
        return {}
    if spec.aggregate == AGGREGATE_CRITERIA:
        weights = sum((w for _c, w, _r, _d in rated), Fraction(0))
        return {code: HUNDRED * w * (1 - r) / weights for code, w, r, _d in rated}
    scored = sum(
        (d.weight for d, total in zip(spec.domains, domain_sums, strict=True) if total),
        Fraction(0),
    )
    return {
        code: HUNDRED * spec.domains[d].weight * w * (1 - r) / (domain_sums[d] * scored)
        for code, w, r, d in rated
    }


def _score_domain(
    spec: RubricSpec, domain: DomainSpec, answers: Mapping[str, Any], tally: _Tally
) -> DomainResult:
    top = spec.max_value
    critical_min = spec.pass_rule.critical_min_value if spec.pass_rule else top
    sums = _Sums()
    criterion_results = []
    answered = 0
    points = Fraction(0)
    for criterion in domain.criteria:
        raw = answers.get(criterion.code)
        answer = Answer.of(raw) if raw is not None else Answer()
        criterion_score = None
        if answer.na or answer.value is not None:
            answered += 1
        if answer.value is not None:
            ratio = spec.ratio(answer.value)
            if spec.has_score:
                criterion_score = HUNDRED * ratio
            sums.add(criterion.weight, ratio)
            if spec.aggregate == AGGREGATE_CRITERIA:
                tally.overall.add(criterion.weight, ratio)
            points += criterion.weight * answer.value
            tally.possible += criterion.weight * top
        if criterion.critical and (answer.value is None or answer.value < critical_min):
            tally.failed_critical.append(criterion.code)
        criterion_results.append(
            CriterionResult(
                code=criterion.code, value=answer.value, na=answer.na, score=criterion_score
            )
        )
    mean = sums.mean()
    domain_score = None if mean is None or not spec.has_score else HUNDRED * mean
    if spec.aggregate == AGGREGATE_DOMAINS and mean is not None:
        tally.overall.add(domain.weight, mean)
    tally.answered += answered
    tally.points += points
    return DomainResult(
        code=domain.code,
        score=domain_score,
        answered=answered,
        total=len(domain.criteria),
        criteria=tuple(criterion_results),
        points=points,
        scale=spec.scale,
    )


def _gate_met(domain: DomainSpec, result: DomainResult) -> bool:
    """A domain without a gate always meets it; a gated domain with nothing rated fails."""
    if domain.min_points is not None:
        rated = any(c.value is not None for c in result.criteria)
        return rated and result.points >= domain.min_points
    if domain.min_score is not None:
        return result.score is not None and result.score >= domain.min_score
    return True


def _band(
    spec: RubricSpec, overall: Fraction | None, points: Fraction, passed: bool | None = None
) -> Band | None:
    if overall is None:
        return None
    reached = None
    for band in spec.bands:
        if band.min_points is not None:
            threshold_met = points >= band.min_points
        else:
            threshold_met = band.min_percent is not None and overall >= band.min_percent
        # Only an explicit fail keeps an assessment out: without a pass rule there is
        # nothing to fail (the importer refuses requires_pass there anyway).
        if threshold_met and not (band.requires_pass and passed is False):
            reached = band
    return reached


def _passed(
    spec: RubricSpec,
    overall: Fraction | None,
    points: Fraction,
    failed_critical: list[str],
    failed_domains: tuple[str, ...] = (),
) -> bool | None:
    rule = spec.pass_rule
    if rule is None or not spec.has_score:
        return None
    if overall is None:
        return False
    if rule.min_points is not None:
        threshold_met = points >= rule.min_points
    else:
        threshold_met = rule.min_score is not None and overall >= rule.min_score
    return threshold_met and not failed_critical and not failed_domains
