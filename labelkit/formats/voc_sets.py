"""Pascal VOC's ImageSets lists: split lists, per-class image-label lists and task lists.

Each image's split is the first list's that names it (the others are kept for a read note); ``trainval``
lists beside ``train`` or ``val`` lists are their union, passed over and remembered, so that writing VOC
makes them again (remembered only when one repeats a line of train or val: a trainval list of the items of
neither, as labelkit writes a split named trainval, is not such a union, and is written again as it was).
"""

from __future__ import annotations

import os
from collections.abc import Container, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from labelkit.errors import InputError
from labelkit.formats.voc_files import is_fork
from labelkit.formats.voc_lists import READ_TASKS, VOC_TASKS, list_class, list_split
from labelkit.io import names_are_utf8, read_text, require_utf8_name, safe_relpath
from labelkit.portable import by_name, folded_name


def _read_list(path: Path) -> Iterator[tuple[int, list[str]]]:
    text = read_text(path)
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff").lstrip()  # (a BOM a line starts with: lists of Windows tools joined)
        if line and not line.startswith("#"):
            yield number, line.split()


@dataclass(frozen=True)
class ActionLine:
    """A line of VOC2012's ``Action/<action>_<split>.txt``: the action's flag of one object of an image."""

    item: str
    index: int  # the object's 1-based position among the image's XML objects
    action: str
    flag: int  # 1 (it does it) or -1 (it does not); 0 (not given) lines are counted, not kept
    path: Path
    line: int


@dataclass(frozen=True)
class IndexLine:
    """A line of VOC2012's ``Action/<split>.txt`` or ``Layout/<split>.txt``: ``image object-index``."""

    item: str
    index: int  # the object's 1-based position among the image's XML objects
    path: Path
    line: int

    @property
    def where(self) -> str:
        """The task folder, list and line, for a read note (``Layout/train.txt:3``)."""
        return f"{self.path.parent.name}/{self.path.name}:{self.line}"


@dataclass
class Sets:
    """What the ImageSets lists say: each image's split, its task lists, image-level labels, the listed order."""

    split_of: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    labels: list[tuple[str, str, int]] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)
    trainval: bool = False  # trainval lines of train or val items were passed over: writing VOC makes them again
    elsewhere: dict[str, list[str]] = field(default_factory=dict)  # item -> the other splits that list it
    task_class_lists: list[str] = field(default_factory=list)  # Segmentation/<class>_<split>.txt, ...: not read
    classes: list[str] = field(default_factory=list)  # the classes Main's class lists name (-1 lines only too)
    actions: list[ActionLine] = field(default_factory=list)  # the lines of Action/<action>_<split>.txt
    unflagged: list[ActionLine] = field(default_factory=list)  # Action lines of flag 0 (none given): not read
    action_objects: bool = False  # Action split lists of image and object index lines (VOC2012's)
    indexed: list[IndexLine] = field(default_factory=list)  # Layout and Action split list lines of an object index
    forks: list[str] = field(default_factory=list)  # macOS resource forks passed over (ImageSets/Main/._train.txt)
    main: set[str] = field(default_factory=set)  # the images a Main list (of a split or a class) names
    negatives: list[str] = field(default_factory=list)  # the images of per-class lists' -1 lines (no label)
    main_lists: bool = False  # whether Main has split lists (then an image only task lists name is in no Main list)
    task_splits: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # item -> task -> the splits of
    # the task's lists naming it (Segmentation/trainval.txt of a train item: written back there, not in train.txt)
    empty: list[str] = field(default_factory=list)  # Main's split lists naming no image (written back empty)
    empty_tasks: dict[str, list[str]] = field(default_factory=dict)  # task -> its lists naming no image (so too)
    seen: set[Path] = field(default_factory=set)  # the lists of Main and the task folders (read, or noted)
    unread: list[str] = field(default_factory=list)  # other .txt files below ImageSets: not read (a read note)

    def place(self, item: str, split: str) -> None:
        """The item's split is the first list's that names it; the others are remembered for a read note.

        A class list of no split (``split`` '', VoTT's ``dog.txt``) places no item.
        """
        if not split:
            return
        first = self.split_of.setdefault(item, split)
        if first != split and split not in self.elsewhere.setdefault(item, []):
            self.elsewhere[item].append(split)

    def name_in_task(self, item: str, task: str, split: str) -> None:
        """A list of ``task`` and ``split`` names the item: its ``voc:imagesets`` and ``voc:task_splits`` say so.

        Writing VOC lists an item in exactly the tasks named (Action's per-action lists too), in those splits.
        """
        tasks = self.lists.setdefault(item, [])
        if task not in tasks:
            tasks.append(task)
        named = self.task_splits.setdefault(item, {}).setdefault(task, [])
        if split not in named:  # (the task's lists are written back as read: voc_build)
            named.append(split)

    def note(self) -> str | None:
        """What the read note says of items listed in several splits (None when there are none)."""
        items = [i for i, more in self.elsewhere.items() if more]
        if not items:
            return None
        first = items[0]
        return (
            f"{len(items):,} images are listed in several splits' ImageSets lists ({first}: "
            f"{', '.join([self.split_of[first], *self.elsewhere[first]])}); each is in the split of the first "
            "list naming it (Main's split lists by file name, then its per-class lists, then Action's), and "
            "writing VOC lists it there only in Main's lists (the task lists, Segmentation's, Action's and "
            "Layout's, name it as read)"
        )

    def task_note(self) -> str | None:
        """What the read note says of per-class lists of Segmentation or Layout, which are not read (None: none)."""
        if not self.task_class_lists:
            return None
        return (
            f"{len(self.task_class_lists):,} per-class ImageSets lists of a task other than Action "
            f"({self.task_class_lists[0]} first) were not read: VOC has none, and writing VOC does not write them"
        )

    def index_note(self, flagged: set[tuple[str, int]]) -> str | None:
        """What the read note says of object-index lines whose index writing VOC does not give again (None: none).

        Writing VOC lists an image once in Layout, and in Action the objects with action flags (``flagged``:
        item and 1-based index of the XML objects with ``voc:actions``), as VOC2012's ``image object-index`` lines.
        """
        dropped = [i.where for i in self.indexed if i.path.parent.name == "Layout" or (i.item, i.index) not in flagged]
        if not dropped:
            return None
        return (
            f"{len(dropped):,} Layout or Action list lines name an object of their image (VOC2012's 'image "
            f"object-index'; {dropped[0]} first) that writing VOC does not list again (it lists an image once in "
            "Layout, and the objects with action flags in Action): the image was read, not the index"
        )

    def unread_note(self) -> str | None:
        """What the read note says of ImageSets files no list of Main or of a task folder is (None: none)."""
        if not self.unread:
            return None
        return (
            f"{len(self.unread):,} ImageSets .txt files were not read ({self.unread[0]} first): a reader reads "
            "the lists in ImageSets/Main and in a task's folder (ImageSets/<task>/, a task other than VOC's of one "
            "image a line), not a file in ImageSets itself, in a folder below those, or of other lines, and writing "
            "VOC does not write them"
        )

    def action_note(self) -> str | None:
        """What the read note says of Action list lines of flag 0, which say nothing (None: there are none)."""
        if not self.unflagged:
            return None
        first = self.unflagged[0]
        return (
            f"{len(self.unflagged):,} Action list lines have the flag 0 ({first.path.name}:{first.line} first): "
            "they give no flag, and were not read"
        )


def _contradiction(how: str, f: Path, number: int, fields: list[str]) -> InputError:
    """A per-class list line giving an image another value than an earlier line (``how``: where that was)."""
    return InputError(
        f"image listed {how}",
        path=f,
        line=number,
        found=repr(" ".join(fields[:2])),
        hint="a class's lists give each image one value: 1, 0 or -1",
    )


def image_sets(root: Path, classes: Iterable[str] = (), objects: AbstractSet[str] = frozenset()) -> Sets:
    """Read a VOC folder's ImageSets lists (Main, and the task folders).

    ``classes``: the classes known before the lists (VOC's and the labelmap's): a list of one-word lines named
    ``<class>_<split>.txt`` after one of them, or a class another list names, and another split list's split
    is that class's list of lines lacking their values (:func:`_bare_class_lists`). A Main list named after
    one of them or of ``objects`` (the XML objects' class names) without ``_``, of ``image value`` lines, is
    the class's list of no split (VoTT's ``dog.txt``).

    Raises:
        InputError: an unsafe image name, a per-class list value that is not 1, 0 or -1 or that contradicts
            the image's earlier line in the list or in another list of the class (of another split), a per-class
            list line of other than two words, or a line of a Main or Segmentation split list of more than one.
    """
    sets = Sets()
    main = root / "ImageSets" / "Main"
    files = _lists(main, root, sets)
    known = {*classes, *objects}
    split_files = [f for f in files if not _per_class_file(f, main=True, classes=known)]
    split_files = _empty_split_lists(files, split_files, known)
    listing = set(split_files)  # (sets: a list's search per file was quadratic in the number of lists)
    bare = _bare_class_lists(split_files, [f for f in files if f not in listing], set(classes))
    split_files = [f for f in split_files if f not in bare]
    listing -= bare
    names = {f.stem for f in split_files}
    # trainval is train + val: each item keeps its finer split, and only the items neither lists (a split
    # named trainval beside train and val) are placed there, after the others
    with_finer = names & {"train", "val"}
    for f in sorted(split_files, key=lambda f: f.stem == "trainval" and bool(with_finer)):
        union = f.stem == "trainval" and bool(with_finer)
        lines = 0
        for number, fields in _read_list(f):
            lines += 1
            if len(fields) > 1:  # (the words after the first were dropped unsaid, and the file taken for a split's)
                raise _wrong_words(
                    "a split list line holds one image name",
                    fields,
                    f,
                    number,
                    "a per-class list's lines are 'image 1', 'image 0' or 'image -1'",
                )
            item = _item(fields[0], f, number)
            if union and item in sets.split_of:
                sets.trainval = True  # (a line of train or val again: the list is their union, made again)
                continue
            sets.place(item, f.stem)
            sets.listed.append(item)
            sets.main.add(item)
        if not lines:
            sets.empty.append(f.stem)
    sets.main_lists = bool(split_files)
    # the split lists name the splits: class cat of split val_2017 is cat_val_2017.txt, not class cat_val
    class_files: list[tuple[Path, str, str]] = []
    for f in files:
        if f in listing:
            continue
        class_files.append((f, *_class_and_split(f.stem, names)))
    splits_of_class: dict[str, set[str]] = {}
    for _, cls, split in class_files:
        splits_of_class.setdefault(cls, set()).add(split)

    def finer(cls: str, split: str) -> bool:  # <class>_trainval.txt: the class's train and val lists again
        return split == "trainval" and bool((names | splits_of_class[cls]) & {"train", "val"})

    # (image, class) -> the list, line and value that first gave it: another list giving it (a class's lists of
    # two splits both naming the image, or its trainval list repeating its train or val line) says nothing new
    # with the same value, and contradicts it with another
    given: dict[tuple[str, str], tuple[Path, int, int]] = {}
    named_classes: set[str] = set()  # (sets.classes as a set: a list's search per line was quadratic)
    for f, cls, split in sorted(class_files, key=lambda x: finer(x[1], x[2])):
        again = finer(cls, split)
        seen: dict[str, tuple[int, str]] = {}  # image -> (line, value) of its first line in this list
        for number, fields in _read_list(f):
            if len(fields) != 2:  # (a line of one word was passed over, and the words after a value dropped, unsaid)
                raise _wrong_words(
                    "a per-class list line holds an image and its value",
                    fields,
                    f,
                    number,
                    "a per-class list's lines are 'image 1', 'image 0' or 'image -1'",
                )
            if cls not in named_classes:  # (a list of -1 lines names its class too; an empty file may be a split's)
                named_classes.add(cls)
                sets.classes.append(cls)
            item = _item(fields[0], f, number)
            sets.main.add(item)
            first = seen.setdefault(item, (number, fields[1]))
            if first[0] != number:  # (the image again: the same value says nothing new, another contradicts it)
                if first[1] == fields[1]:
                    continue
                raise _contradiction(f"again with another value (line {first[0]}: {first[1]})", f, number, fields)
            value = {"1": 1, "0": 0, "-1": -1}.get(fields[1])
            if value is None:  # (2 was read as 1, and written back so)
                raise InputError("per-class list value must be 1, 0 or -1", path=f, line=number, found=repr(fields[1]))
            own = sets.split_of.get(item, "trainval")
            earlier = given.get((item, cls))
            if earlier is not None:  # (the image in another list of the class: read once, or a contradiction)
                if earlier[2] != value:
                    where = f"in {earlier[0].name} (line {earlier[1]}: {earlier[2]})"
                    raise _contradiction(f"with another value {where}", f, number, fields)
                if not again or own == "trainval":
                    sets.place(item, split)
                sets.trainval |= again
                continue
            if again and own != "trainval" and own in splits_of_class[cls]:
                sets.trainval = True  # (an item its own split's list of the class omits: the trainval line says it)
            given[(item, cls)] = (f, number, value)
            if value >= 0:
                sets.labels.append((item, cls, value))
            else:  # (an item too, of no label: an image of no XML a -1 line names was dropped unsaid)
                sets.negatives.append(item)
            if not again or own == "trainval":  # (an item of train or val keeps its split)
                sets.place(item, split)
    # (the folders beside Main whose lists name a task's images, no labels in them: VOC's, then any other, as
    # labelkit writes an item's voc:imagesets task; its lists were passed over unsaid, and the task lost)
    for task in [*READ_TASKS, *_other_tasks(root / "ImageSets")]:
        folder = root / "ImageSets" / task
        all_files = _lists(folder, root, sets)
        task_files = [f for f in all_files if not _per_class_file(f, action=task == "Action")]
        if task == "Action":  # (jumping_train.txt of 'image index' lines beside train.txt: an action's list)
            listed = set(task_files)
            bare = _bare_class_lists(task_files, [f for f in all_files if f not in listed], VOC_ACTIONS)
            task_files = [f for f in task_files if f not in bare]
        task_names = {f.stem for f in task_files}
        task_set = set(task_files)
        class_lists = [f for f in all_files if f not in task_set]
        if task != "Action":
            sets.task_class_lists += [f"{task}/{f.name}" for f in class_lists]
        if task not in READ_TASKS:  # (another tool's lists of other lines: not read, and noted)
            other_lines = {f for f in task_files if not _one_word_lines(f)}
            sets.unread += [f.relative_to(root).as_posix() for f in task_files if f in other_lines]
            task_files = [f for f in task_files if f not in other_lines]
            task_names = {f.stem for f in task_files}
        task_finer = task_names & {"train", "val"}
        for f in sorted(task_files, key=lambda f: f.stem == "trainval" and bool(task_finer)):
            again = f.stem == "trainval" and bool(task_finer)
            lines = 0
            for number, fields in _read_list(f):
                lines += 1
                _check_task_line(task, fields, f, number)
                item = _item(fields[0], f, number)
                sets.action_objects |= task == "Action" and len(fields) > 1  # (written back so)
                if len(fields) > 1:  # (the index checked against the image's XML objects once they are read)
                    sets.indexed.append(IndexLine(item, _object_index(fields[1], f, number, f"{task} list"), f, number))
                if again and sets.split_of.get(item, "trainval") != "trainval" and task in sets.lists.get(item, ()):
                    sets.trainval = True  # (a line the task's train or val list holds: the list is made again)
                    continue
                sets.name_in_task(item, task, f.stem)
                if item not in sets.split_of:  # (an item of a split keeps it, as listing it here says no other)
                    sets.place(item, f.stem)
                sets.listed.append(item)
            if not lines:  # (written back empty, as Main's)
                sets.empty_tasks.setdefault(task, []).append(f.stem)
        if task == "Action":  # (after the split lists, which place the images first)
            _action_lists(sets, class_lists, task_names | names)
    sets.unread += _unread_files(root, sets.seen)
    return sets


def _check_task_line(task: str, fields: list[str], f: Path, number: int) -> None:
    """Refuse a task split list's line of more words than it holds.

    Segmentation's name one image; Action's and Layout's (VOC2012's) an image and, maybe, an object index. An
    Action list named after an action without its split (``jumping.txt`` of ``image index flag`` lines) is such
    a split list too: VOC2012's per-action lists are ``<action>_<split>.txt``, and no tool writes one of no split.

    Raises:
        InputError: the line, with the words it holds.
    """
    if task == "Segmentation" and len(fields) > 1:  # (the words after the first were dropped unsaid)
        raise _wrong_words(
            "a split list line holds one image name",
            fields,
            f,
            number,
            "VOC's Segmentation lists name one image a line, as its Main split lists do",
        )
    if task in ("Action", "Layout") and len(fields) > 2:  # (the words after the index were dropped unsaid)
        raise _wrong_words(
            f"a split list line of {task} holds an image name and, maybe, an object index",
            fields,
            f,
            number,
            "a per-action list of 'image object-index flag' lines is named <action>_<split>.txt",
        )


def _wrong_words(message: str, fields: list[str], f: Path, number: int, hint: str) -> InputError:
    """The error of a list line holding other words than its list's lines do: the line, and the words it holds."""
    return InputError(message, path=f, line=number, found=repr(" ".join(fields)), hint=hint)


def _object_index(text: str, f: Path, number: int, what: str) -> int:
    """A list line's 1-based object index (``what``: the list's kind, for the error).

    Raises:
        InputError: not a whole number from 1, or more than 64 bits hold (its line).
    """
    digits = text.lstrip("0")
    if not (text.isascii() and text.isdigit() and digits):
        raise InputError(f"{what} object index must be a whole number from 1", path=f, line=number, found=repr(text))
    if len(digits) > 19:  # beyond 64 bits (and int() refuses more than 4,300 digits)
        raise InputError(f"{what} object index is out of range", path=f, line=number, found=repr(text))
    return int(digits)


def _other_tasks(folder: Path) -> list[str]:
    """The task folders of ``ImageSets`` beside VOC's, by name.

    Not one named as VOC's in another case (``main``), nor a hidden one (``.ipynb_checkpoints``).
    """
    if not folder.is_dir():
        return []
    own = {folded_name(task) for task in VOC_TASKS}
    found = [f for f in folder.iterdir() if f.is_dir() and not f.name.startswith(".")]
    return [f.name for f in sorted(found, key=by_name) if folded_name(f.name) not in own]


def _one_word_lines(path: Path) -> bool:
    """Whether every line of a list names one image (what a task folder's split list holds)."""
    return all(len(fields) == 1 for _, fields in _read_list(path))


def _unread_files(root: Path, seen: AbstractSet[Path]) -> list[str]:
    """The ``.txt`` files (in any case) below ``ImageSets`` that are not ``seen`` (read, or noted as passed over).

    A folder reached by a symbolic link is not entered (a loop would never end): Main and the task folders are
    read as any other folder.
    """
    top = root / "ImageSets"
    found = []
    for here, folders, names in os.walk(top):
        folders.sort()
        for name in sorted(names):
            path = Path(here) / name
            if name.lower().endswith(".txt") and not is_fork(name) and path not in seen:
                found.append(path.relative_to(root).as_posix())
    return found


def _action_lists(sets: Sets, files: list[Path], splits: set[str]) -> None:
    """Read VOC2012's ``Action/<action>_<split>.txt`` lists: ``image object-index flag`` lines (flag 1 or -1).

    The split is the longest split list's name the file name ends with, else the part after the last ``_``.
    Each line is kept with its file and line, for the flag to be set on its object (which the XML gives).
    ``trainval`` lists beside train or val lists are read last, for the images whose own split has no list
    of the action: VOC's releases repeat train's and val's lines there, and a set shipping the trainval lists
    alone (beside ImageSets/Main's train and val) gives its flags there only.

    Raises:
        InputError: a line that is not an image, a positive object index and a flag of 1, 0 or -1 (its line).
    """
    named: list[tuple[Path, str, str]] = []
    for f in files:
        named.append((f, *_class_and_split(f.stem, splits)))  # (an action's list is named as a class's)
    # <action>_trainval.txt beside train or val lists: their lines again, read for the images whose own split has
    # no list of the action (an image of neither, or of train when only <action>_val.txt is there)
    finer = bool((splits | {split for _, _, split in named}) & {"train", "val"})
    lists = {(action, split) for _, action, split in named}
    for f, action, split in sorted(named, key=lambda x: x[2] == "trainval" and finer):
        again = split == "trainval" and finer
        for number, fields in _read_list(f):
            if len(fields) != 3:
                raise InputError(
                    "action list line needs an image, an object index and a flag",
                    path=f,
                    line=number,
                    found=f"{len(fields)} fields",
                )
            item = _item(fields[0], f, number)
            index = _object_index(fields[1], f, number, "action list")
            flag = {"1": 1, "0": 0, "-1": -1}.get(fields[2])
            if flag is None:
                raise InputError("action list flag must be 1, 0 or -1", path=f, line=number, found=repr(fields[2]))
            own = sets.split_of.get(item, "trainval")
            if again and own != "trainval" and (action, own) in lists:
                sets.trainval = True
                continue  # (an image of train or val: its own split's list of the action said it)
            entry = ActionLine(item, index, action, flag, f, number)
            (sets.actions if flag else sets.unflagged).append(entry)
            if again and own != "trainval" and own in sets.task_splits.get(item, {}).get("Action", ()):
                sets.trainval = True  # (an image another action's list, or Action/<own>.txt, names in its own split:
                # it is of Action there, not in trainval too, which was written back beside it and read as a repeat)
            elif flag:  # (an Action list names the image, without Action/<split>.txt too: else its flags went unsaid)
                sets.name_in_task(item, "Action", split)
            if not again or own == "trainval":  # (an image of train or val keeps its split)
                sets.place(item, split)


VOC_ACTIONS = frozenset(
    {
        "jumping",
        "phoning",
        "playinginstrument",
        "reading",
        "ridingbike",
        "ridinghorse",
        "running",
        "takingphoto",
        "usingcomputer",
        "walking",
        "other",
    }
)
"""VOC2012's actions: ``<action>_<split>.txt`` beside ``<split>.txt`` in ``ImageSets/Action`` is the action's list."""


def _empty_split_lists(files: list[Path], split_files: list[Path], known: AbstractSet[str]) -> list[Path]:
    """``split_files`` with the empty lists named ``<a>_<b>.txt`` that are a split's.

    ``extra_1.txt`` of a split ``extra_1`` to fill later read as class ``extra``'s empty list of split ``1``
    (nothing: the list was lost in a round trip).

    An empty list is a class's when its name is ``<class>_<split>`` of a known class (VOC's, the labelmap's, an
    XML object's, or one a list of lines names: Datumaro writes an empty list per class) or of a split another list
    is (``cat_train.txt`` beside ``train.txt``).
    """
    taken = set(split_files)
    empty = [f for f in files if f not in taken and "_" in f.stem and next(_read_list(f), None) is None]
    if not empty:
        return split_files
    names = {f.stem for f in split_files}
    empty_set = set(empty)  # (not the list: each list against each empty one was quadratic, 3,600 Datumaro lists)
    lined = [f for f in files if f not in taken and f not in empty_set]
    classes = set(known) | {_class_and_split(f.stem, names)[0] for f in lined}
    splits = {f for f in empty if list_split(f.stem, names) is None and not _class_prefixed(f.stem, classes)}
    return [f for f in files if f in taken or f in splits]


def _class_prefixed(stem: str, classes: AbstractSet[str]) -> bool:
    """Whether ``stem`` starts with ``<class>_`` of one of ``classes``: each ``_`` of it tried, not each class.

    Examples:
        >>> _class_prefixed("big_cat_x", {"big_cat"}), _class_prefixed("cat_x", {"ca"}), _class_prefixed("_x", {""})
        (True, False, True)
    """
    at = stem.find("_")
    while at >= 0:
        if stem[:at] in classes:
            return True
        at = stem.find("_", at + 1)
    return False


def _class_and_split(stem: str, splits: Container[str]) -> tuple[str, str]:
    """The class and split of a per-class list, by its name.

    Its split is the longest of ``splits`` its name ends with, else what follows its last ``_`` (``cat_val_2017``
    beside ``val_2017.txt``: ``cat``, ``val_2017``); a name without ``_`` is a class's list of no split (``''``), as
    VoTT writes ``dog.txt`` with its train/test split off.
    """
    if "_" not in stem:
        return stem, ""
    split = list_split(stem, splits)
    if split is None:
        cls, split = stem.rsplit("_", 1)
        return cls, split
    return stem[: -len(split) - 1], split


def _bare_class_lists(split_files: list[Path], class_files: list[Path], classes: AbstractSet[str]) -> set[Path]:
    """The lists of one-word lines that are a known class's list of a known split: class lists lacking values.

    ``cat_train.txt`` beside ``train.txt`` holding ``2007`` (truncated, or a script's bare image names) was read
    as a split named ``cat_train``, and writing VOC then refused its file as both that split's and class cat's
    list of split train. A class is known when VOC or the labelmap has it (``classes``) or a class list names it.
    So are ``Action``'s lists of ``image index`` lines lacking their flag, of VOC2012's actions or another list's.
    """
    splits = {f.stem for f in split_files}
    known = classes | {c for f in class_files if (c := list_class(f.stem, splits)) is not None}
    return {f for f in split_files if list_class(f.stem, splits) in known}  # (a list's own name is no suffix of it)


def _lists(folder: Path, root: Path, sets: Sets) -> list[Path]:
    """The ``*.txt`` lists of an ImageSets folder by name, without macOS resource forks (added to ``sets.forks``).

    By name as text: ``sorted`` of Paths, which Windows' Path compares ignoring case, put ``train.txt`` before
    ``Val.txt`` there and after it here, and so the items, read in their lists' order, in another order. The
    suffix in any case (``val.TXT``, which a glob finds on Windows only: it was passed over unsaid
    elsewhere). Each is added to ``sets.seen``.
    """
    found = sorted((f for f in folder.iterdir() if f.suffix.lower() == ".txt"), key=by_name) if folder.is_dir() else []
    for f in found if not names_are_utf8() else []:  # (ISO-8859-1 reads a UTF-8 name as other text: refused then)
        require_utf8_name(f.stem, root)  # (a list names a split or class)
    sets.forks += [f.relative_to(root).as_posix() for f in found if is_fork(f.name)]
    sets.seen.update(found)
    return [f for f in found if not is_fork(f.name)]


def _item(name: str, list_file: Path, line: int) -> str:
    """The item a list line names: its image name, made safe (``a/./b`` is ``a/b``).

    Raises:
        InputError: an unsafe name, or one naming the folder itself (``.``, ``./``), at its line.
    """
    item = safe_relpath(name, source=list_file, line=line)
    if item == ".":  # (no file: it was read as an item named ".")
        raise InputError("a list line names no image", path=list_file, line=line, found=repr(name))
    return item


_SPLIT_NAMES = frozenset({"train", "val", "trainval", "test"})
"""VOC's split list names: such a list of ``image value`` lines is no class list (its lines are an error)."""


def _per_class_file(
    path: Path, main: bool = False, action: bool = False, classes: AbstractSet[str] = frozenset()
) -> bool:
    """``<class>_<split>.txt`` lists carry a 1 / 0 / -1 column; split lists carry ids only.

    In ``Main`` a line of two words is a class list's, whatever its value (``a 7`` is then an error at its
    line, rather than the file a split list named ``cat_train``). In ``Action`` (VOC2012) a class list's lines
    are ``image object-index flag``, whatever their values (an error at the line then), and a split list's
    ``image object-index`` (``val_2017.txt`` of ``a 1`` lines is split val_2017's). A Main list named without
    ``_`` after one of ``classes`` (but VOC's split names), its first line ``image value``, is the class's list
    of no split (VoTT's ``dog.txt``); of another name, its lines are a split list's (a line of two words an error).
    """
    if "_" not in path.stem:  # (VoTT's lists of a tag and no split, dog.txt of 'a.jpg 1', of a known class)
        if not main or path.stem not in classes or path.stem in _SPLIT_NAMES:
            return False
        return any(len(fields) == 2 and fields[1] in ("1", "0", "-1") for _, fields in islice(_read_list(path), 1))
    for _, fields in _read_list(path):
        if action:
            return len(fields) == 3
        return (main and len(fields) == 2) or (len(fields) in (2, 3) and fields[-1] in ("1", "0", "-1"))
    return True  # an empty <class>_<split>.txt (a class no image has)
