"""Where a conversion reads and writes: outputs refused, before anything is read, when writing them would harm an input.

An output that is an input, lies inside one or holds one (a YOLO config's folder and the folders its
``data.yaml`` names count as inputs, and so do the files read options name), an output that exists without
``overwrite``, and write options that writing would refuse anyway.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from labelkit.api_args import refuse_unsafe_split, writer_named
from labelkit.errors import OutputError
from labelkit.formats.base import SPLIT_FILES, FormatModule
from labelkit.io_output import check_output
from labelkit.portable import placed


def input_folder(src: Path) -> Path:
    """What an input path makes input: itself, or for a YOLO config (``data.yaml``, ``obj.data``) its folder."""
    return src.parent if src.is_file() and src.suffix.lower() in (".yaml", ".yml", ".data") else src


def refuse_taken_output(path: str | Path, format: str, overwrite: bool, options: Mapping[str, Any]) -> None:
    """Refuse, before the input is read, an output or write ``options`` that writing would refuse.

    That is an output that exists (without ``overwrite``), a folder for a file (``out.json/`` too, given as text), one
    without a parent folder, the current or home folder (see :func:`check_output`); ``-o split=`` not a plain name
    where splits name files; ``media=copy`` or ``link`` without ``media_root``. Found only when writing, a mistyped
    output, a missing ``--overwrite`` or option waited for the whole input to be read.

    Raises:
        OutputError: the output, or the split option.
        UsageError: media without its folder.
    """
    writer = writer_named(format)
    check_output(path, writer.OUTPUT, overwrite=overwrite)
    if getattr(writer, SPLIT_FILES, False) and options.get("split") is not None:
        refuse_unsafe_split(str(options["split"]), path)
    refuse_media_without_root(writer, options)


def refuse_media_without_root(writer: FormatModule, options: Mapping[str, Any]) -> None:
    """Refuse ``media=copy`` or ``link`` without ``media_root``, for a writer that has these options.

    Raises:
        UsageError: media without its folder.
    """
    if "media_root" in getattr(writer, "OPTIONS", {}):
        from labelkit.formats.yolo_media import media_of

        media_of(options)


def refuse_output_in_input(src: Path, dst: Path) -> None:
    """Refuse an output that is the input, lies inside an input folder or holds the input.

    Writing it would write into the input, or (with ``overwrite``) replace the folder the input is in. The
    input folders are the input, the folder of a YOLO config given as input, and the root a ``data.yaml``
    names with ``path:``.

    Raises:
        OutputError: naming the output.
    """
    if not src.exists():
        return
    refuse_over(dst, input_places(src), "the input")


def read_files(options: dict[str, Any]) -> list[Path]:
    """The files read options name (YOLO's ``image_sizes``), which are inputs too: nothing is written over them."""
    return [Path(str(v)) for k, v in options.items() if k in ("image_sizes", "read.image_sizes") and v]


def refuse_output_over_read_files(dst: Path, read: dict[str, Any]) -> None:
    """Refuse an output that is, or holds, a file a read option names (:func:`read_files`).

    Raises:
        OutputError: naming the output.
    """
    refuse_over(dst, read_files(read), "the input's image size file (image_sizes)")


def input_places(src: Path) -> list[Path]:
    """The places an input reads from, which nothing is written to.

    The input itself, the folder of a YOLO config given as input, and the root and split folders a
    ``data.yaml`` names (which may lie outside its folder).
    """
    from labelkit.formats.yolo_config_read import config_inputs

    return [src, input_folder(src), *config_inputs(src)] if src.exists() else [src]


def refuse_over(dst: Path, places: list[Path], what: str) -> None:
    """Refuse an output that is one of ``places`` (read from), lies inside one, or holds one.

    Paths are compared resolved, and as given (made absolute): an input that is a symbolic link inside the
    output (a git-annex or DVC checkout's file) is the output's, which ``overwrite`` would remove. Folders
    that exist are compared as folders too (:func:`labelkit.portable.same_place`): ``DATA`` is ``data`` on
    macOS and Windows.

    Raises:
        OutputError: naming the output.
    """
    hint = "inputs are never modified: choose another output"
    pairs = [(dst.resolve(), p.resolve()) for p in places]
    pairs += [(Path(os.path.abspath(dst)), Path(os.path.abspath(p))) for p in places]
    for real, place in pairs:
        where = placed(real, place)
        if where == "same":
            raise OutputError(f"the output is {what}", path=dst, hint=hint)
        if where == "inside" and place.is_dir():
            raise OutputError(f"the output is inside {what}", path=dst, hint=hint)
        if where == "holds":
            raise OutputError(f"the output holds {what} (replacing it would remove it)", path=dst, hint=hint)
