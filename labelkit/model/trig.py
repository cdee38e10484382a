"""Sines, cosines, arc tangents and hypotenuses that give the same bits on every machine.

numpy's ``sin``, ``cos`` and ``arctan2`` are not one function everywhere: on a CPU with AVX-512 numpy runs a
vector kernel of its own, elsewhere the C library's, and glibc itself picks another code path where the CPU
has FMA. Their results differ in the last bit for a few inputs in a hundred, and an angle read from a YOLO OBB
rectangle, written to labelkit JSON as ``293.9174534018487`` on one machine, was ``293.91745340184866`` on
another. The functions here use only the operations IEEE 754 rounds exactly (``+ - * /``, square root,
``fmod``, comparisons), each a numpy call of its own (so no compiler fuses a multiply into an add), in a fixed
order: the same bits wherever they run. They work in degrees, the model's unit, so that the turns a user
types (90, 180, 270) are exact.

Their error is a few units in the last place (a Taylor series after an exact argument reduction), which the
formats' 1e-6 pixel promises do not notice.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

# (a Python float's arithmetic is IEEE 754 double on every platform Python supports: these constants are
# the same bits everywhere, each the nearest double to the exact value)
_DEGREES_TO_RADIANS = math.pi / 180.0
_RADIANS_TO_DEGREES = 180.0 / math.pi


def _series(first: int, terms: int, step: int, divide: Any) -> tuple[float, ...]:
    """Taylor coefficients, the highest power's first (for Horner's rule), each rounded once from its exact value."""
    signs = [(-1) ** n for n in range(terms)]
    powers = [first + step * n for n in range(terms)]
    return tuple(float(Fraction(sign, divide(power))) for sign, power in zip(signs, powers, strict=True))[::-1]


# sin x = x - x^3/3! + ..., cos x = 1 - x^2/2! + ... for |x| <= pi/4: the 11th terms are below 1e-20 of the sum
_SIN = _series(1, 11, 2, math.factorial)
_COS = _series(0, 11, 2, math.factorial)
# atan z = z - z^3/3 + z^5/5 - ... for |z| <= tan(pi/16) (about 0.199, after two halvings): 14 terms, below 1e-20
_ATAN = _series(1, 14, 2, lambda power: power)


def _horner(coefficients: tuple[float, ...], x: FloatArray) -> FloatArray:
    """The polynomial of ``coefficients`` (highest first) at ``x``, one rounding per operation, in order."""
    total = np.full_like(x, coefficients[0])
    for c in coefficients[1:]:
        total = np.add(np.multiply(total, x), c)
    return total


def sin_cos_degrees(angle: Any) -> tuple[FloatArray, FloatArray]:
    """The sine and cosine of N angles in degrees, the same bits on every machine.

    The angle is reduced to [-45, 45] degrees about a quarter turn exactly (``fmod`` and the subtraction of a
    multiple of 90 lose nothing), so a multiple of 90 degrees gives exact 0s and 1s, and only the remainder
    goes through a series. Infinite and NaN angles give NaN.

    Examples:
        >>> s, c = sin_cos_degrees(np.array([0.0, 30.0, 90.0, 180.0, -90.0, 720.0]))
        >>> s.tolist()
        [0.0, 0.49999999999999994, 1.0, 0.0, -1.0, 0.0]
        >>> c.tolist()
        [1.0, 0.8660254037844387, 0.0, -1.0, 0.0, 1.0]
    """
    a = np.asarray(angle, dtype=np.float64).reshape(-1)
    with np.errstate(invalid="ignore"):
        r = np.fmod(a, 360.0)  # exact; inf and NaN give NaN
        quarters = np.rint(np.divide(r, 90.0))  # -4 .. 4
        t = np.subtract(r, np.multiply(quarters, 90.0))  # exact: within [-45, 45] (and a hair), on r's grid
    x = np.multiply(t, _DEGREES_TO_RADIANS)
    x2 = np.multiply(x, x)
    s = np.multiply(_horner(_SIN, x2), x)
    c = _horner(_COS, x2)
    s = np.where(x == 0.0, 0.0, s)  # (-0.0 in, 0.0 out: a sign the corners do not need)
    turn = np.mod(np.nan_to_num(quarters), 4.0)
    sin = np.select([turn == 0.0, turn == 1.0, turn == 2.0], [s, c, -s], -c)
    cos = np.select([turn == 0.0, turn == 1.0, turn == 2.0], [c, -s, -c], s)
    sin = np.where(np.isnan(r), np.nan, sin) + 0.0  # (+ 0.0: no -0.0 of a negated zero)
    cos = np.where(np.isnan(r), np.nan, cos) + 0.0
    return sin, cos


def _atan_unit(z: FloatArray) -> FloatArray:
    """The arc tangent of ``z`` in [0, 1], in radians, halved twice: ``atan z = 2 atan(z / (1 + sqrt(1 + z^2)))``."""
    for _ in range(2):
        z = np.divide(z, np.add(1.0, np.sqrt(np.add(1.0, np.multiply(z, z)))))
    return np.multiply(np.multiply(_horner(_ATAN, np.multiply(z, z)), z), 4.0)


def _tiny_degrees(small: FloatArray, big: FloatArray) -> FloatArray:
    """``small / big`` in degrees: the arc tangent of a ratio below 2^-27, rounded once at its own size.

    Where the ratio would be subnormal, ``small`` is first scaled by a power of two (exactly), so that the ratio
    is not rounded as a subnormal before it is turned into degrees.
    """
    with np.errstate(invalid="ignore", divide="ignore", under="ignore", over="ignore"):
        scale = np.where(small < np.multiply(big, 2.0**-900), 2.0**600, 1.0)  # (a ratio that would be subnormal)
        ratio = np.where(big == 0.0, 0.0, np.divide(np.multiply(small, scale), big))
        return np.divide(np.multiply(ratio, _RADIANS_TO_DEGREES), scale)


def atan2_degrees(y: Any, x: Any) -> FloatArray:
    """The angle of the vector ``(x, y)`` from the x axis in degrees, in (-180, 180], the same bits everywhere.

    As C's ``atan2`` (in degrees): the axes give exact 0, 90, 180 and -90; a zero vector gives 0 (or 180 when x
    is -0.0); an infinite side counts as the larger. NaN in, NaN out.

    Examples:
        >>> y, x = np.array([0.0, 1.0, 1.0, 0.0, -1.0, 1.0]), np.array([1.0, 1.0, 0.0, -1.0, 0.0, -1.0])
        >>> atan2_degrees(y, x).tolist()
        [0.0, 45.0, 90.0, 180.0, -90.0, 135.0]
    """
    yy = np.asarray(y, dtype=np.float64).reshape(-1)
    xx = np.asarray(x, dtype=np.float64).reshape(-1)
    ax, ay = np.abs(xx), np.abs(yy)
    steep = ay > ax
    big, small = np.where(steep, ay, ax), np.where(steep, ax, ay)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.divide(small, big)
    both_infinite = np.isinf(big) & np.isinf(small)
    z = np.where(big == 0.0, 0.0, np.where(both_infinite, 1.0, z))
    # 45 degrees exactly where the sides are equal (the series gives 45.00000000000001)
    d = np.where(z == 1.0, 45.0, np.multiply(_atan_unit(z), _RADIANS_TO_DEGREES))
    tiny = z < 2.0**-27  # atan z is z there (to 2^-54 of it): the halvings would round a subnormal z away
    if tiny.any():
        d[tiny] = _tiny_degrees(small[tiny], big[tiny])
    d = np.where(steep, np.subtract(90.0, d), d)
    d = np.where(np.signbit(xx), np.subtract(180.0, d), d)
    d = np.where(np.signbit(yy), np.negative(d), d)
    nan = np.isnan(xx) | np.isnan(yy)
    return np.where(nan, np.nan, d) + 0.0


def hypot(x: Any, y: Any) -> FloatArray:
    """``sqrt(x^2 + y^2)`` for N pairs without overflow, the same bits everywhere; exact when one side is 0.

    Examples:
        >>> hypot(np.array([3.0, 0.0, 1e300, 5.0]), np.array([4.0, 2.0, 1e300, -0.0])).tolist()
        [5.0, 2.0, 1.4142135623730952e+300, 5.0]
    """
    ax = np.abs(np.asarray(x, dtype=np.float64).reshape(-1))
    ay = np.abs(np.asarray(y, dtype=np.float64).reshape(-1))
    big, small = np.maximum(ax, ay), np.minimum(ax, ay)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        r = np.where(big == 0.0, 0.0, np.divide(small, big))
        out = np.multiply(big, np.sqrt(np.add(1.0, np.multiply(r, r))))
    # (as C's hypot, an infinite side makes an infinite hypotenuse, even beside NaN, which np.maximum passes on)
    out = np.where(np.isinf(ax) | np.isinf(ay), np.inf, out)
    return np.where(small == 0.0, big, out)
