"""YOLO layouts a config describes: Ultralytics' ``data.yaml`` and Darknet's ``obj.data``, with their image lists.

Their image lists are read by :mod:`labelkit.formats.yolo_list_files`; the entries, names and config files by
:mod:`labelkit.formats.yolo_layout`.
"""

from __future__ import annotations

import os
from pathlib import Path

from labelkit.errors import InputError
from labelkit.formats.yolo_config_read import (
    MAX_UNNAMED_CLASSES,
    SPLIT_NAMES,
    config_split_keys,
    moved_root_note,
    named_root,
    parse_names,
    read_names_file,
    split_sources,
    widened_root,
    without_climbs,
)
from labelkit.formats.yolo_layout import (
    APPLE_DOUBLE,
    CONFIG_KEYS,
    DARKNET_RESERVED,
    DARKNET_SPLIT,
    LABEL_DIRS,
    MAX_KEYPOINTS,
    Entry,
    LabelIndex,
    Layout,
    dataset_config,
    entries_from_labels,
    hidden_folders_note,
    images_under,
    img2label,
    not_read,
    own_dataset_note,
    rel_path,
    without_extension,
)
from labelkit.formats.yolo_list_files import (
    DATA_PREFIX,
    ListLines,
    Relocated,
    below_root,
    climbing,
    entries_from_list,
    outside_line,
)
from labelkit.formats.yolo_listing import (
    Listings,
    has_image_extension,
    orphan_note,
    unlisted_note,
    without_suffix,
)
from labelkit.formats.yolo_media import SIZES_FILE, is_image_name, load_sizes, not_a_file
from labelkit.formats.yolo_yaml import load_yaml, names_not_text_note, yaml_value_line
from labelkit.io import Inside, read_text, safe_relpath


def ultralytics_layout(
    config_path: Path, sizes: dict[str, tuple[int, int]], follow: bool = False, find_sizes: bool = False
) -> Layout:
    """The layout a ``data.yaml`` describes; with ``find_sizes``, ``sizes`` gets the side file of its root.

    (The root is ``path`` when that is a folder: a config kept outside the dataset finds the dataset's sizes.)
    """
    config = load_yaml(config_path)
    named = named_root(config_path, config)
    # (as config_root gives it; ds/../ds as ds, as the split sources are taken: images were named below the root
    # ds/../ds/images/..., outside it)
    root = named or without_climbs(config_path.parent)
    moved = isinstance(config.get("path"), str) and named is None
    if find_sizes and (root / SIZES_FILE).is_file():
        sizes.update(load_sizes(root / SIZES_FILE, None if follow else root))
    names = parse_names(config.get("names"), config_path)
    nc = config.get("nc")
    if isinstance(nc, float) and nc.is_integer():  # (nc: 80.0 was passed over: 4 classes from the labels)
        nc = int(nc)
    elif nc is not None and type(nc) is not int:  # (Ultralytics refuses '2': no count equals it; true was 1 class)
        raise InputError(
            "nc must be a class count",
            path=config_path,
            line=yaml_value_line(config_path, "nc"),
            element="nc",
            expected="a whole number",
            found=repr(nc)[:200],
        )
    if config.get("names") is None and isinstance(nc, int):  # (names: [] says: no class)
        if not 0 <= nc <= MAX_UNNAMED_CLASSES:
            raise InputError(
                "nc without names must be a class count",
                path=config_path,
                line=yaml_value_line(config_path, "nc"),
                element="nc",
                expected=f"0 to {MAX_UNNAMED_CLASSES:,}",
                found=str(nc),
            )
        names = [f"class_{i}" for i in range(nc)]
    if isinstance(nc, int) and nc != len(names):
        raise InputError(
            "nc does not match names",
            path=config_path,
            line=yaml_value_line(config_path, "nc"),
            element="nc",
            expected=str(len(names)),
        )
    layout = Layout(root=root, names=names, config=config, config_name=config_path.name)
    if (unlike := names_not_text_note(config_path, config.get("names"))) is not None:  # (null: 'None')
        layout.notes.append(unlike)
    if moved:  # (a dataset moved from another machine; Ultralytics looks for a relative one in its datasets_dir)
        layout.notes.append(moved_root_note(config_path, config))
    kpt = config.get("kpt_shape")
    if kpt is not None:
        if not (
            isinstance(kpt, list)
            and len(kpt) == 2
            and all(type(v) is int for v in kpt)
            and 0 <= kpt[0] <= MAX_KEYPOINTS
            and kpt[1] in (2, 3)
        ):
            raise InputError(
                f"kpt_shape must be [K, 2 or 3] with K from 0 to {MAX_KEYPOINTS}",
                path=config_path,
                line=yaml_value_line(config_path, "kpt_shape"),
                element="kpt_shape",
                found=repr(kpt),
            )
        layout.kpt_shape = (kpt[0], kpt[1])
    flip = config.get("flip_idx")
    if flip is not None and not (isinstance(flip, list) and all(type(v) is int and 0 <= v < 2**31 for v in flip)):
        raise InputError(
            "flip_idx must be a list of keypoint indexes",
            path=config_path,
            line=yaml_value_line(config_path, "flip_idx"),
            element="flip_idx",
        )
    if (
        flip is not None
        and layout.kpt_shape is not None
        and not (len(flip) == layout.kpt_shape[0] and all(v < layout.kpt_shape[0] for v in flip))
    ):  # (Ultralytics swaps keypoints by these indexes when it flips an image)
        raise InputError(
            f"flip_idx must list {layout.kpt_shape[0]} keypoint indexes below {layout.kpt_shape[0]} (kpt_shape)",
            path=config_path,
            line=yaml_value_line(config_path, "flip_idx"),
            element="flip_idx",
            found=repr(flip)[:200],
        )
    split_keys = config_split_keys(config)
    if not split_keys:
        raise InputError(
            f"{config_path.name} names no train, val or test images",
            path=config_path,
            line=yaml_value_line(config_path, "train"),  # (train: with no value: its line)
            element="train",
        )
    posed = layout.kpt_shape is not None  # (flip_idx and kpt_names are pose's: without kpt_shape, not read)
    unkept = [
        str(k)
        for k in config
        if (k == "download" or k not in CONFIG_KEYS or (k in ("flip_idx", "kpt_names") and not posed))
        and k not in split_keys
        and k not in SPLIT_NAMES
    ]
    if unkept:  # (a written data.yaml has the splits, names and keypoint keys only: download could fetch it all)
        layout.notes.append(
            f"{config_path.name}'s {', '.join(unkept)} not kept: a data.yaml written from it has no such key"
        )
    missing: list[str] = []
    origins: dict[Path, tuple[str, int]] = {}
    instead: list[str] = []
    sources = split_sources(root, config, missing, origins, config_path, instead)
    if named is None and (wider := widened_root(root, list(sources), config)) != root:
        root = layout.root = wider
        if find_sizes and (root / SIZES_FILE).is_file():
            sizes.update(load_sizes(root / SIZES_FILE, None if follow else root))
    inside = None if follow else Inside(root)
    lines = ListLines(no_images=[], home=config_path.parent)
    relocated = Relocated(root)
    by_label = LabelIndex(sizes)
    elsewhere: list[tuple[str, str]] = []  # (label files of images read whose labels Ultralytics finds elsewhere)
    hidden: list[str] = []  # (images in hidden folders of the split folders, passed over)
    for source, split in sources.items():
        key, index = origins[source]
        value = config[key][index] if isinstance(config[key], list) else config[key]
        at = yaml_value_line(config_path, key, index) if source.is_file() else None
        if not source.is_file() and not source.is_dir():  # (/dev/null: it was 'cannot list folder', naming it)
            raise InputError(
                f"{config_path.name}'s {key} names neither a folder nor a file (a device, pipe or socket)",
                path=config_path,
                line=yaml_value_line(config_path, key, index),
                found=repr(value),
                hint=f"name the {key} split's images folder ({key}: images/{key}) or list of images",
            )
        # data.yaml itself: its keys and names were read as images; an image: read as a list, 'not UTF-8 text'
        itself = source.is_file() and os.path.samefile(source, config_path)
        if itself or (source.is_file() and has_image_extension(source.name)):
            raise InputError(
                f"{config_path.name}'s {key} names {f'{config_path.name} itself' if itself else 'an image'}, "
                "not a list of images",
                path=config_path,
                line=at,
                found=repr(value),
                hint=f"name the {key} split's images folder ({key}: images/{key}) or list of images",
            )
        where = config_path.name if at is None else f"{config_path.name}:{at}"
        lines.named_by = f"{config_path.name}'s {key}: {value} ({where})"
        layout.entries += _entries_from_source(
            source, root, split, by_label, inside, relocated, lines, elsewhere, hidden
        )
        layout.splits_read.append(split)
    if not sources:
        hint = f"download: {config['download']}" if config.get("download") else None
        raise InputError(
            f"none of the image folders or lists named in {config_path.name} exist",
            path=config_path,
            line=yaml_value_line(config_path, split_keys[0]),
            element=split_keys[0],
            found=str(config[split_keys[0]]),
            hint=hint,
        )
    said = f"{config_path.name}'s"
    if elsewhere:
        layout.notes.append(_elsewhere_note(elsewhere, root))
    if (in_hidden := hidden_folders_note(not_read(hidden, layout.entries, root))) is not None:
        layout.notes.append(in_hidden)
    layout.notes += [f"{said} {m} names no images or labels found: nothing of it is read" for m in missing]
    layout.notes += [f"{said} {m}" for m in instead]
    if lines.no_images:  # (Ultralytics keeps the lines of an image extension only)
        first, number, line = lines.no_images[0]
        count = len(lines.no_images)
        lines_name = "1 line of image lists names" if count == 1 else f"{count:,} lines of image lists name"
        layout.notes.append(
            f"{lines_name} no image (no image extension: {line!r} at {rel_path(first, root)}:{number}"
            f"{' first' if count > 1 else ''}): not read, as Ultralytics reads none of them"
        )
    unlisted = unlisted_note(lines.listings.unlisted(lines.folders, layout.entries), root)
    orphans = orphan_note(lines.listings.orphan_labels(lines.folders, layout.entries), root)
    notes = (lines.absent_note(root), lines.repeated_note(root), relocated.note(), unlisted, orphans)
    layout.notes += [note for note in notes if note is not None]
    unnamed, datasets = unread_folders(root, [s for s in sources if s.is_dir()], layout.entries, config_path)
    home, real_root = os.path.realpath(config_path.parent), os.path.realpath(root)
    if home != real_root and not home.startswith(real_root + os.sep):
        # the root (path:, or splits all outside) is elsewhere: the data.yaml's own folder's labelled images were
        # left out unsaid (train: /mnt/empty beside images/train): named as from that folder
        more, theirs = unread_folders(
            config_path.parent, [s for s in sources if s.is_dir()], layout.entries, config_path
        )
        unnamed += [name for name in more if name not in unnamed]
        datasets.update({name: cfg for name, cfg in theirs.items() if name not in datasets})
    layout.notes += [own_dataset_note(name, cfg) for name, cfg in datasets.items()]
    if (loose := loose_images(root, [s for s in sources if s.is_dir()], layout.entries)) is not None:
        layout.notes.append(
            f"images holds labelled images of its own beside the split folders {config_path.name} names ({loose!r} "
            f"first): not read, as Ultralytics reads only the folders {config_path.name} names"
        )
    if unnamed:  # (a test split data.yaml leaves out, Roboflow's test/images: left out unsaid)
        layout.notes.append(
            f"{', '.join(unnamed)} {'holds' if len(unnamed) == 1 else 'hold'} labelled images {config_path.name} names "
            f"no split of: not read, as Ultralytics reads the splits {config_path.name} names (name one to read it: "
            f"test: {unnamed[0]})"
        )
    layout.entries = _one_per_file(layout.entries)
    return layout


def unread_folders(
    root: Path, folders: list[Path], entries: list[Entry], config: Path | None = None, darknet: bool = False
) -> tuple[list[str], dict[str, Path]]:
    """The split image folders of ``root`` holding labelled images none read is in, and its datasets of their own.

    The image folders are ``images/<name>`` and ``<name>/images``, or Darknet's ``obj_<name>_data``, holding
    labelled images (:func:`_holds_labelled_image`): a folder of images without label files (a ``docs/images`` of
    figures) is none, as no labels were left out. The datasets of their own are the sub-folders of ``root``
    holding a config (:func:`dataset_config`, other than ``config``'s folder) and labelled images: named apart,
    since reading them with this one (as the note on an image folder advises) would read their class ids under
    its names. ``folders``: the split folders the config names; ``entries``: the images read (of lists too).
    """
    # (by real paths: a split named through a link, train: imgs with imgs -> images/train, reads images/train)
    read = {
        os.path.realpath(d)
        for d in {str(f) for f in folders} | {e.image.rpartition(os.sep)[0] for e in entries if e.image}
    }

    def unread(folder: Path) -> bool:
        text = os.path.realpath(folder)
        return folder.is_dir() and not any(
            r == text or r.startswith(text + os.sep) or text.startswith(r + os.sep) for r in read
        )

    with os.scandir(root) as found:
        subs = sorted(e.name for e in found if e.is_dir() and not e.name.startswith("."))
    own = os.path.realpath(config.parent) if config is not None else None
    datasets: dict[str, Path] = {}
    for name in subs:
        if os.path.realpath(root / name) != own and (cfg := dataset_config(root / name)) is not None:
            if unread(root / name) and _holds_labelled_image(root / name):
                datasets[name] = cfg
    candidates = []
    if darknet:
        candidates += [root / n for n in subs if n.startswith("obj_") and n.endswith("_data")]
    else:
        if (root / "images").is_dir():
            with os.scandir(root / "images") as found:
                names = sorted(e.name for e in found if e.is_dir() and not e.name.startswith("."))
            candidates += [root / "images" / n for n in names]
        candidates += [root / n / "images" for n in subs]
    unnamed = [
        rel_path(str(folder), root)
        for folder in candidates
        if folder.relative_to(root).parts[0] not in datasets and unread(folder) and _holds_labelled_image(folder)
    ]
    return unnamed, datasets


def loose_images(root: Path, folders: list[Path], entries: list[Entry], sample: int = 64) -> str | None:
    """The first labelled image directly in ``root/images`` that none read is, when split folders inside it are read.

    ``images/c.jpg`` beside the ``images/train`` a data.yaml names is in no split (Ultralytics reads none of it),
    and a leftover or a split's image moved there by hand was left out unsaid. Only when ``images`` itself is
    not read (``folders``: the split folders read; ``entries``: the images read) and a folder inside it is;
    the first ``sample`` images by name are looked at.
    """
    images = root / "images"
    if not images.is_dir():
        return None
    real = os.path.realpath(images)
    read_folders = {os.path.realpath(f) for f in folders}
    if real in read_folders or not any(r.startswith(real + os.sep) for r in read_folders):
        return None
    with os.scandir(images) as found:
        names = sorted(e.name for e in found if e.is_file() and is_image_name(e.name) and not e.name.startswith("."))
    read = {os.path.realpath(e.image) for e in entries if e.image}
    for name in names[:sample]:
        if img2label(images / name).is_file() and os.path.realpath(images / name) not in read:
            return name
    return None


def _holds_labelled_image(folder: Path, sample: int = 64) -> bool:
    """Whether an image at any depth below ``folder`` has its label file (:func:`img2label`), of the first ``sample``.

    At any depth: a split's images may lie in folders of their own (``images/test/cam1/c.jpg``). Hidden
    folders are passed over, as readers pass them over; the walk is in name order and ends at the first
    labelled image, or after ``sample`` images without one.
    """
    looked = 0
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not is_image_name(name) or name.startswith(APPLE_DOUBLE):
                continue
            if img2label(Path(current, name)).is_file():
                return True
            looked += 1
            if looked >= sample:
                return False
    return False


def _one_per_file(entries: list[Entry]) -> list[Entry]:
    """``entries`` without the later ones of an image (or, without one, label file) a split already has.

    A split's folders and lists may name an image twice (two lists, or a list and a folder): it is one item,
    as an image listed twice in one list is.
    """
    seen: set[tuple[str | None, str | None]] = set()
    kept = []
    for entry in entries:
        file = (entry.split, entry.image if entry.image is not None else entry.label)
        if file not in seen:
            seen.add(file)
            kept.append(entry)
    return kept


def _entries_from_source(
    source: Path,
    root: Path,
    split: str | None,
    by_label: LabelIndex,
    inside: Inside | None,
    relocated: Relocated,
    lines: ListLines,
    elsewhere: list[tuple[str, str]],
    hidden: list[str],
) -> list[Entry]:
    """The entries of a split's folder or list.

    ``elsewhere`` gets the label files passed over: a label file, and the image read whose path it mirrors below
    the labels folder, whose labels Ultralytics looks for elsewhere (``images/train/x/images/a.jpg``'s in
    ``images/train/x/labels/``). ``hidden`` gets the images in hidden folders of a split folder, passed over
    (their paths in the dataset).
    """
    if source.is_file():
        return entries_from_list(source, root, split, inside, relocated, lines)
    if source.name in LABEL_DIRS or source.parent.name in LABEL_DIRS:
        return entries_from_labels(source, root, split, by_label)
    entries = []
    listings = Listings()  # (a label file is looked for in its folder's listing, not by a stat per image)
    found: list[str] = []
    for image in images_under(source, hidden=found):
        text = str(image)
        entries.append(Entry(split, without_suffix(rel_path(text, source)), text, listings.img2label(text)))
    hidden += [rel_path(source / name, root) for name in found]
    # label files whose image is absent (listed in the size side file, or an error later); a size-file entry
    # beside a found image of its stem (a stale one, x.jpg of an image re-encoded to x.png) is no item of its
    # own: it doubled the image's objects (writing YOLO loses an item that would be one: see yolo_write)
    label_dir = img2label(source / "x.jpg").parent
    if label_dir != source and label_dir.is_dir():
        known = {e.label for e in entries}  # (the same text as a Path's: see Entry)
        # (labels/train/x/images/a.txt beside images/train/x/images/a.jpg, whose labels Ultralytics looks for in
        # images/train/x/labels/: no image has it, and it was read as a label file whose image is missing)
        mirrored = {without_extension(rel_path(e.image, source)): e.image for e in entries if e.image is not None}
        for extra in entries_from_labels(label_dir, root, split, by_label):
            if extra.label in known or extra.label is None:
                continue
            mirror = mirrored.get(rel_path(extra.label, label_dir)[:-4]) if extra.image is None else None
            if mirror is not None:
                elsewhere.append((extra.label, mirror))
            else:
                entries.append(extra)
    return entries


def _elsewhere_note(elsewhere: list[tuple[str, str]], root: Path) -> str:
    """The read note on the label files :func:`_entries_from_source` passed over, naming the first."""
    label, image = elsewhere[0]
    at = f"{rel_path(image, root)}, whose labels are at {rel_path(img2label(Path(image)), root)}"
    if len(elsewhere) == 1:
        what = f"1 label file mirrors an image read but is not its label file ({rel_path(label, root)}, of {at})"
    else:
        what = (
            f"{len(elsewhere):,} label files mirror images read but are not their label files "
            f"({rel_path(label, root)} first, of {at})"
        )
    return (
        f"{what}: not read, as Ultralytics reads an image's labels where the last images folder of its path "
        "becomes labels"
    )


def _file_below(root: Path) -> Path | None:
    """The first file in a folder below ``root`` (hidden ones passed over, as ``.git``), if any."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if Path(folder) != root and (shown := sorted(f for f in files if not f.startswith("."))):
            return Path(folder) / shown[0]
    return None


def darknet_layout(data_path: Path, follow: bool = False) -> Layout:
    """The layout an ``obj.data`` (or Darknet's ``voc.data``, ...) describes: its names file, a list per split."""
    root = data_path.parent
    cfg = data_path.name
    inside = None if follow else Inside(root)
    config: dict[str, str] = {}
    line_of: dict[str, int] = {}
    repeated: list[str] = []
    text = read_text(data_path)
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):  # (Darknet's read_data_cfg skips both)
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise InputError("expected key = value", path=data_path, line=number, found=repr(line))
        key = key.strip()
        if key in config:  # Darknet's option_find takes a key's first line
            repeated.append(f"{key} ({cfg}:{number}, beside line {line_of[key]})")
            continue
        config[key] = value.strip()
        line_of[key] = number

    relocated = Relocated(root)
    lines = ListLines(home=root)
    moved: list[str] = []

    def local(key: str) -> Path:
        # (a path climbing out and back in, ../ds/train.txt, is the file it lands on inside the dataset)
        below = below_root(config[key], root) or next(iter(climbing(config[key], root, root)), None)
        if below is None and outside_line(config[key]):  # (obj.data written on another machine: /content/...)
            found = relocated.find(config[key], root, labels=False)
            if len(found) != 1:
                hint = relocated.hint(config[key], found, cfg, "write its paths relative to its folder")
                raise InputError(f"unsafe file name {config[key]!r}", path=data_path, line=line_of[key], hint=hint)
            moved.append(f"{key} = {config[key]} ({cfg}:{line_of[key]}) as {rel_path(found[0], root)}")
            return found[0]
        name = safe_relpath(below or config[key], source=data_path, line=line_of[key])
        path = root / name
        try:
            # (Darknet's data/, no other; a link to no file there is that file: refused as one, not passed over)
            if not os.path.lexists(path) and name.startswith(DATA_PREFIX) and not below:
                path = root / name[len(DATA_PREFIX) :]
            path.exists()  # (what is_file below would raise)
        except OSError as exc:  # a name too long for the file system: its line, not the dataset, is named
            raise InputError(f"cannot read: {exc.strerror or exc}", path=data_path, line=line_of[key]) from None
        return path

    names_path = local("names") if "names" in config else root / "obj.names"
    if "names" in config and (odd := not_a_file(names_path)) is not None:  # (a link to no file, a FIFO, a folder
        raise odd  # named so is an error, as at obj.names: its classes were read as class_0, ..., with a note)
    names = read_names_file(names_path, inside) if names_path.is_file() else []
    count = config.get("classes", "")
    if not names_path.is_file() and count.isascii() and count.isdigit() and 0 < int(count) <= MAX_UNNAMED_CLASSES:
        names = [f"class_{i}" for i in range(int(count))]  # (as data.yaml's nc alone: not the labels' highest id)
    layout = Layout(root=root, names=names, config=dict(config))
    if repeated:
        layout.notes.append(f"{cfg} repeats {', '.join(repeated)}: the first line is read, as Darknet reads it")
    if "names" in config and not names_path.is_file():  # (Darknet stops, unable to open it)
        layout.notes.append(
            f"{cfg}'s names = {config['names']} names no file found: its classes are named class_0, class_1, ..."
        )
    elif "classes" in config and not (count.isascii() and count.isdigit() and int(count) == len(names)):
        # (Darknet reads both, and checks neither against the other; it reads 03 as 3)
        said = f"classes = {count}" if count else "classes ="
        layout.notes.append(
            f"{cfg}'s {said} ({cfg}:{line_of['classes']}) is not the {len(names):,} names of "
            f"{rel_path(names_path, root)}: the names are read; an obj.data written gives the count of its names"
        )
    lists: dict[Path, tuple[str, str]] = {}  # each list read: the split it is read as, the key naming it first
    named: list[str] = []  # the keys naming lists (of images)
    for key in config:
        if key in DARKNET_RESERVED or key not in ("train", "valid") and not config[key].lower().endswith(".txt"):
            continue  # (no list of images: a classifier's top = 5, COCO's map = data/coco.map of category ids)
        named.append(key)
        source = local(key)
        itself = source.is_file() and os.path.samefile(source, data_path)
        if itself or (source.is_file() and has_image_extension(source.name)):  # (an image: 'not UTF-8 text')
            raise InputError(
                f"{cfg}'s {key} names {f'{cfg} itself' if itself else 'an image'}, not a list of images",
                path=data_path,
                line=line_of[key],
                found=repr(config[key]),
                hint=f"name the {key} split's list of images, a path a line ({key} = {key}.txt)",
            )
        # (labelkit lists a val split under Darknet's valid key, as val.txt or val2017.txt: it reads back so)
        split = source.stem if key == "valid" and source.stem.startswith("val") else key
        if split == key and (not DARKNET_SPLIT.fullmatch(key) or key in (".", "..")):  # (../x: refused on writing,
            raise InputError(  # naming the output, not this line)
                f"{cfg}'s key {key!r} names a list of images, but no split can be named so",
                path=data_path,
                line=line_of[key],
                expected="letters, digits, '_', '-' and '.'",
                hint=f"key the list by the split's name (test = {config[key]})",
            )
        if not source.is_file() and source.exists() and not source.is_dir():  # (its items were lost behind a note
            raise InputError(  # saying no list file was found, as data.yaml's list is refused)
                f"{cfg}'s {key} names no file but a device, pipe or socket",
                path=data_path,
                line=line_of[key],
                found=repr(config[key]),
                hint=f"name the {key} split's list of images, a path a line ({key} = {key}.txt)",
            )
        if not source.is_file():  # (train and valid are lists to Darknet whatever their names: a folder, ...)
            layout.notes.append(f"{cfg}'s {key} = {config[key]} names no list file found: nothing of it is read")
        elif source not in lists:
            lists[source] = (split, key)
        elif source.stem == split:  # a list two keys name is read once, under its own name (labelkit writes
            lists[source] = (split, lists[source][1])  # train = val.txt beside valid = val.txt, without train)
    if not lists and named:  # (as data.yaml naming no images: no split to read, so no dataset, is an error)
        key = min(named, key=line_of.__getitem__)
        raise InputError(
            f"none of the image lists named in {cfg} exist", path=data_path, line=line_of[key], found=config[key]
        )
    if not named and (beside := _file_below(root)) is not None:  # (labelkit's own, of no items, has none)
        raise InputError(
            f"{cfg} names no list of images (no train or valid line), so nothing would be read, but its folder "
            f"holds {rel_path(beside, root)}",
            path=data_path,
            hint=f"name each split's list of images in {cfg} (train = train.txt, a path a line)",
        )
    for source, (split, key) in lists.items():
        lines.named_by = f"{cfg}'s {key} = {config[key]} ({cfg}:{line_of[key]})"
        layout.entries += entries_from_list(source, root, split, inside, relocated, lines)
        layout.splits_read.append(split)
    # (an obj.data written has classes, its lists, names = obj.names, backup = backup/ and the task)
    unkept = [k for k in config if k not in (*named, "classes", "names", "backup", "task")]
    unkept += ["backup"] if config.get("backup", "backup/") != "backup/" else []
    if unkept:
        layout.notes.append(
            f"{cfg}'s {', '.join(f'{k} = {config[k]}' for k in unkept)} not kept: the obj.data labelkit writes has "
            "no such line" + (" (it has backup = backup/)" if "backup" in unkept else "")
        )
    if moved:
        layout.notes.append(
            f"{cfg} names files outside the dataset folder (written on another machine?): read {', '.join(moved)}, "
            "the file inside it whose path ends as each does"
        )
    unlisted = unlisted_note(lines.listings.unlisted(lines.folders, layout.entries), root)
    orphans = orphan_note(lines.listings.orphan_labels(lines.folders, layout.entries), root)
    notes = (lines.absent_note(root), lines.repeated_note(root), relocated.note(), unlisted, orphans)
    layout.notes += [note for note in notes if note is not None]
    unnamed, datasets = unread_folders(root, [], layout.entries, data_path, darknet=True)
    layout.notes += [own_dataset_note(name, cfg) for name, cfg in datasets.items()]
    if unnamed:  # (obj_valid_data/ beside an obj.data naming train only: left out unsaid)
        layout.notes.append(
            f"{', '.join(unnamed)} {'holds' if len(unnamed) == 1 else 'hold'} labelled images no list of {cfg} names: "
            "not read, as Darknet reads the images its lists name"
        )
    layout.entries = _one_per_file(layout.entries)
    return layout
