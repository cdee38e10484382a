"""Deterministic, stratified, group-aware splits with a quality report and a lockfile.

See :func:`split`. The ``hash`` method's rule for one key is :func:`bucket`, usable inside any engine's batch map.
"""

from labelkit.split.core import ALGORITHM_VERSION, METHODS, SplitResult, fold_ratios, parse_ratios, split
from labelkit.split.hashing import bucket, key_hash
from labelkit.split.lockfile import Lockfile, read_lockfile
from labelkit.split.report import LabelStats, SplitReport, SplitStats

__all__ = [
    "ALGORITHM_VERSION",
    "METHODS",
    "LabelStats",
    "Lockfile",
    "SplitReport",
    "SplitResult",
    "SplitStats",
    "bucket",
    "fold_ratios",
    "key_hash",
    "parse_ratios",
    "read_lockfile",
    "split",
]
