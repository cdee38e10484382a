"""labelkit: convert, check and split data labels across COCO, Pascal VOC, YOLO, CoNLL, Label Studio and CVAT.

Examples:
    >>> import labelkit
    >>> ds = labelkit.load("fixtures/native/images.labelkit.json")
    >>> len(ds)
    3
"""

__version__ = "0.1.0"

__all__ = [
    "DataLossError",
    "Dataset",
    "Finding",
    "InputError",
    "LabelkitError",
    "OutputError",
    "Report",
    "UnknownFormatError",
    "UsageError",
    "__version__",
    "convert",
    "detect",
    "load",
    "plan",
    "save",
    "split",
    "stats",
    "validate",
]

import gc as _gc

# Importing labelkit (numpy, pyarrow, pydantic, the models) makes about 50,000 objects the cyclic collector tracks,
# which live as long as the process: the 100 collections they set off only scanned them, about 70 ms of 0.45 s.
# (The last statements of the module: a collection set off as the collector is set back is the import system's.)
_collecting = _gc.isenabled()
_gc.disable()
try:
    from labelkit.api import convert, detect, load, plan, save, stats, validate
    from labelkit.errors import (
        DataLossError,
        InputError,
        LabelkitError,
        OutputError,
        UnknownFormatError,
        UsageError,
    )
    from labelkit.model import Dataset
    from labelkit.report import Finding, Report
    from labelkit.split import split
finally:
    if _collecting:
        _gc.enable()
    del _collecting
