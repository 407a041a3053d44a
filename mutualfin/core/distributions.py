"""Uncertainty distributions an input can declare, for sensitivity and Monte Carlo work.

Each distribution validates its parameters when created and draws samples with a numpy
``Generator``; ``ppf`` maps uniform quantiles to values so correlated draws can be made by
rank (Iman-Conover) later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mutualfin.errors import InputError

__all__ = ["PERT", "Distribution", "Normal", "Triangular", "Uniform"]


def _finite(name: str, **values: float) -> None:
    for key, v in values.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise InputError(f"{name}: {key} = {v!r} must be a finite number")


class Distribution:
    """Base class: a distribution with a central value and a quantile function."""

    @property
    def central(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def ppf(self, q: np.ndarray) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self.ppf(rng.random(size))


@dataclass(frozen=True)
class Uniform(Distribution):
    low: float
    high: float

    def __post_init__(self) -> None:
        _finite("Uniform", low=self.low, high=self.high)
        if self.low > self.high:
            raise InputError(f"Uniform: low {self.low} is above high {self.high}; swap them")

    @property
    def central(self) -> float:
        return (self.low + self.high) / 2

    def ppf(self, q: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * np.asarray(q, dtype=float)


@dataclass(frozen=True)
class Triangular(Distribution):
    low: float
    mode: float
    high: float

    def __post_init__(self) -> None:
        _finite("Triangular", low=self.low, mode=self.mode, high=self.high)
        if not self.low <= self.mode <= self.high:
            raise InputError(
                f"Triangular: need low <= mode <= high, got low={self.low}, "
                f"mode={self.mode}, high={self.high}"
            )

    @property
    def central(self) -> float:
        return self.mode

    def ppf(self, q: np.ndarray) -> np.ndarray:
        q = np.asarray(q, dtype=float)
        a, c, b = self.low, self.mode, self.high
        if b == a:
            return np.full_like(q, a)
        fc = (c - a) / (b - a)
        with np.errstate(invalid="ignore"):
            left = a + np.sqrt(q * (b - a) * (c - a))
            right = b - np.sqrt((1 - q) * (b - a) * (b - c))
        return np.where(q < fc, left, right)


@dataclass(frozen=True)
class PERT(Distribution):
    """Beta-PERT with the usual shape weight 4 on the mode."""

    low: float
    mode: float
    high: float

    def __post_init__(self) -> None:
        _finite("PERT", low=self.low, mode=self.mode, high=self.high)
        if not self.low <= self.mode <= self.high:
            raise InputError(
                f"PERT: need low <= mode <= high, got low={self.low}, "
                f"mode={self.mode}, high={self.high}"
            )

    @property
    def central(self) -> float:
        return self.mode

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        a, c, b = self.low, self.mode, self.high
        if b == a:
            return np.full(size, float(a))
        alpha = 1 + 4 * (c - a) / (b - a)
        beta = 1 + 4 * (b - c) / (b - a)
        return a + (b - a) * rng.beta(alpha, beta, size)


@dataclass(frozen=True)
class Normal(Distribution):
    mean: float
    sd: float

    def __post_init__(self) -> None:
        _finite("Normal", mean=self.mean, sd=self.sd)
        if self.sd < 0:
            raise InputError(f"Normal: sd {self.sd} must not be negative")

    @property
    def central(self) -> float:
        return self.mean

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.normal(self.mean, self.sd, size)
