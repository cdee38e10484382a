"""The geometry's trigonometry gives the same bits on every machine (labelkit.model.trig).

numpy's sin, cos and arctan2 run an AVX-512 kernel of numpy's own on a CPU that has one, and glibc's FMA or
plain code elsewhere: the last bits differ for a few inputs in a hundred, and so did the angles labelkit read
from YOLO OBB rectangles. One machine cannot be another, but numpy and glibc each have a switch that makes them
take the code another CPU would: the tests run the same maths under both and compare the bits, and compare
them with bits recorded here.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from labelkit.model import trig

ROOT = Path(__file__).resolve().parents[1]

# every function of labelkit.model.geometry that turns angles, over seeded rectangles and angles: the digest of
# their results' bits (numpy's PCG64 draws the same numbers on every machine)
_CHILD = """
import hashlib, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from labelkit.model import geometry
rng = np.random.default_rng(83)
n = 3000
box = np.stack([rng.uniform(200, 800, n), rng.uniform(200, 800, n), rng.uniform(10, 100, n), rng.uniform(10, 100, n)])
box = box.T
angle = rng.uniform(-720, 720, n)
corners = geometry.rotated_box_corners(box, angle)
# the corners read back as rectangles (every one: the arc tangent of each), and made skew (the smallest rectangle)
out_box, out_angle, is_rect = geometry.corners_to_rotated_box(corners)
assert is_rect.all()
skew = corners + rng.uniform(-3, 3, corners.shape)
skew_box, skew_angle, _ = geometry.corners_to_rotated_box(skew[:200])
meets = geometry.turned_boxes_meet(box * 4 - 1500, angle, np.full(n, 640.0), np.full(n, 480.0))
digest = hashlib.sha256()
for part in (corners, out_box, out_angle, is_rect, skew_box, skew_angle, meets):
    digest.update(np.ascontiguousarray(part).tobytes())
print(digest.hexdigest())
"""


def _digest(extra_env: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("NPY_DISABLE_CPU_FEATURES", "GLIBC_TUNABLES")}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(ROOT)], env={**env, **extra_env}, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _numpy_features(prefixes: tuple[str, ...]) -> str:
    """numpy's dispatched CPU targets this machine has whose names start so (what NPY_DISABLE_CPU_FEATURES takes:
    X86_V4 and AVX512_ICL in numpy 2.4, AVX512F and AVX512_SKX before)."""
    try:
        from numpy._core import _multiarray_umath as umath  # numpy 2
    except ImportError:  # pragma: no cover - numpy 1
        from numpy.core import _multiarray_umath as umath
    features, dispatch = umath.__cpu_features__, umath.__cpu_dispatch__
    return " ".join(k for k in dispatch if features.get(k) and k.startswith(prefixes))


def test_the_maths_gives_the_bits_recorded_here() -> None:
    assert _digest({}) == _RECORDED


def test_the_maths_gives_the_same_bits_without_numpy_s_avx512_kernels() -> None:
    off = _numpy_features(("AVX512", "X86_V4"))
    if not off:
        pytest.skip("this CPU has no AVX-512: numpy runs the kernels another CPU would anyway")
    assert _digest({"NPY_DISABLE_CPU_FEATURES": off}) == _RECORDED


def test_the_maths_gives_the_same_bits_with_glibc_s_code_for_cpus_without_fma() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("GLIBC_TUNABLES is glibc's (Linux)")
    off = _numpy_features(("AVX", "X86_V3", "X86_V4", "FMA", "F16C"))
    env = {"GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2,-FMA,-AVX2_Usable,-FMA_Usable"}
    assert _digest({**env, **({"NPY_DISABLE_CPU_FEATURES": off} if off else {})}) == _RECORDED


_RECORDED = "79439c33722bf8cd455b6ebed445baf0d975fc5c1ef3bb1868328f4b859e31ed"


def test_sines_and_cosines_of_quarter_turns_are_exact() -> None:
    # (1.8e300 is a whole number of turns: fmod finds it exactly, where a cast of angle // 90 overflowed int64)
    turns = np.array([0.0, 90.0, 180.0, 270.0, 360.0, -90.0, -180.0, 450.0, 360.0 * 2.0**995, -0.0])
    s, c = trig.sin_cos_degrees(turns)
    assert s.tolist() == [0.0, 1.0, 0.0, -1.0, 0.0, -1.0, 0.0, 1.0, 0.0, 0.0]
    assert c.tolist() == [1.0, 0.0, -1.0, 0.0, 1.0, 0.0, -1.0, 0.0, 1.0, 1.0]
    assert not np.signbit(np.concatenate([s[s == 0.0], c[c == 0.0]])).any()  # (no -0.0)


def test_sines_and_cosines_are_within_two_units_in_the_last_place() -> None:
    # against the C library's, through the exact reduction to [-45, 45] degrees both share
    t = np.random.default_rng(1).uniform(-45, 45, 100_000)
    s, c = trig.sin_cos_degrees(t)
    x = t * (math.pi / 180)
    assert np.max(np.abs(s - np.sin(x)) / np.spacing(np.abs(np.sin(x)))) <= 2
    assert np.max(np.abs(c - np.cos(x)) / np.spacing(np.cos(x))) <= 2


def test_infinite_and_nan_angles_give_nan() -> None:
    s, c = trig.sin_cos_degrees(np.array([math.inf, -math.inf, math.nan]))
    assert np.isnan(s).all() and np.isnan(c).all()


def test_arc_tangents_of_the_axes_and_diagonals_are_exact() -> None:
    y = np.array([0.0, 1.0, 1.0, 0.0, -1.0, 1.0, -1.0, -1.0, 0.0, 0.0, -0.0, math.inf, 3.0])
    x = np.array([1.0, 1.0, 0.0, -1.0, 0.0, -1.0, -1.0, 1.0, 0.0, -0.0, -1.0, math.inf, -math.inf])
    assert trig.atan2_degrees(y, x).tolist()[:10] == [0.0, 45.0, 90.0, 180.0, -90.0, 135.0, -135.0, -45.0, 0.0, 180.0]
    assert trig.atan2_degrees(y, x).tolist()[10:] == [-180.0, 45.0, 180.0]


def test_arc_tangents_are_within_six_units_in_the_last_place() -> None:
    rng = np.random.default_rng(2)
    y, x = rng.normal(size=100_000) * 10.0 ** rng.integers(-5, 5, 100_000), rng.normal(size=100_000)
    got, want = trig.atan2_degrees(y, x), np.degrees(np.arctan2(y, x))
    assert np.max(np.abs(got - want) / np.spacing(np.abs(want))) <= 6
    assert np.isnan(trig.atan2_degrees(np.array([math.nan, 1.0]), np.array([1.0, math.nan]))).all()


def test_arc_tangents_of_tiny_ratios_are_rounded_once_at_their_own_size() -> None:
    # the halvings rounded a subnormal ratio away: atan2(5e-324, 1) was 0 degrees, atan2(1e-310, 3) 95 units off
    # (atan z is z to far below a unit in the last place there; numpy's own is 18.7 units off at 1e-310 / 3)
    from decimal import Decimal, localcontext

    y, x = [5e-324, 1e-310, 1e-300, -1e-200, 1e-100, 3e-50], [1.0, 3.0, 1e10, 1.0, 1e210, 7e259]
    with localcontext() as context:
        context.prec = 60
        pi = Decimal("3.14159265358979323846264338327950288419716939937510582097494")
        exact = [float(Decimal(a) / Decimal(b) * 180 / pi) for a, b in zip(y, x, strict=True)]
    assert trig.atan2_degrees(np.array(y), np.array(x)).tolist() == exact


def test_hypotenuses_are_exact_on_an_axis_and_never_overflow() -> None:
    x = np.array([3.0, 0.0, -7.5, 1e300, math.inf, 0.0, -math.inf, math.nan])
    got = trig.hypot(x, np.array([4.0, -2.0, 0.0, 1e300, 1.0, 0.0, math.nan, math.inf]))
    assert got.tolist() == [5.0, 2.0, 7.5, 1.4142135623730952e300, math.inf, 0.0, math.inf, math.inf]
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=100_000), rng.normal(size=100_000)
    assert np.max(np.abs(trig.hypot(x, y) - np.hypot(x, y)) / np.spacing(np.hypot(x, y))) <= 2


def test_an_obb_rectangle_s_angle_is_written_with_the_same_digits_everywhere(tmp_path: Path) -> None:
    # the probe that found it: a rectangle read from YOLO OBB, its angle in labelkit JSON (293.9174534018487 on
    # a CPU with AVX-512, 293.91745340184866 on one without)
    from labelkit import api

    folder = tmp_path / "obb"
    (folder / "labels" / "train").mkdir(parents=True)
    t, cx, cy, w, h = math.radians(293.9174534018487), 500.0, 400.0, 60.0, 20.0
    c, s = math.cos(t), math.sin(t)
    pts = [
        (cx + dx * c - dy * s, cy + dx * s + dy * c)
        for dx, dy in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2))
    ]
    (folder / "labels" / "train" / "a.txt").write_text(
        "0 " + " ".join(f"{x / 1000!r} {y / 1000!r}" for x, y in pts) + "\n"
    )
    (folder / "data.yaml").write_text("train: images/train\nnames: [thing]\ntask: obb\n")
    (folder / "image_sizes.json").write_text(json.dumps({"images/train/a.jpg": [1000, 1000]}))
    api.convert(folder, tmp_path / "out.json", to="labelkit")
    [obj] = json.loads((tmp_path / "out.json").read_text())["annotations"]
    assert repr(obj["angle"]) == "293.9174534018487"
