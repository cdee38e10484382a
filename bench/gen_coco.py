"""Write a seeded synthetic COCO instances file with the shape of train2017.

Defaults: 118,287 images, 860,001 annotations over the 80 COCO categories (real ids 1..90), polygons of
about 22 points (10% of objects in several parts), about 1% crowd annotations with uncompressed RLE and
about 1% images without annotations; about 450 MB. Same seed, same bytes.

Usage:
    python bench/gen_coco.py bench/data/instances_train2017.json
    python bench/gen_coco.py --images 1000 --annotations 7000 /tmp/small.json
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
import orjson

CATEGORIES = [
    (1, "person", "person"), (2, "bicycle", "vehicle"), (3, "car", "vehicle"), (4, "motorcycle", "vehicle"),
    (5, "airplane", "vehicle"), (6, "bus", "vehicle"), (7, "train", "vehicle"), (8, "truck", "vehicle"),
    (9, "boat", "vehicle"), (10, "traffic light", "outdoor"), (11, "fire hydrant", "outdoor"),
    (13, "stop sign", "outdoor"), (14, "parking meter", "outdoor"), (15, "bench", "outdoor"),
    (16, "bird", "animal"), (17, "cat", "animal"), (18, "dog", "animal"), (19, "horse", "animal"),
    (20, "sheep", "animal"), (21, "cow", "animal"), (22, "elephant", "animal"), (23, "bear", "animal"),
    (24, "zebra", "animal"), (25, "giraffe", "animal"), (27, "backpack", "accessory"),
    (28, "umbrella", "accessory"), (31, "handbag", "accessory"), (32, "tie", "accessory"),
    (33, "suitcase", "accessory"), (34, "frisbee", "sports"), (35, "skis", "sports"),
    (36, "snowboard", "sports"), (37, "sports ball", "sports"), (38, "kite", "sports"),
    (39, "baseball bat", "sports"), (40, "baseball glove", "sports"), (41, "skateboard", "sports"),
    (42, "surfboard", "sports"), (43, "tennis racket", "sports"), (44, "bottle", "kitchen"),
    (46, "wine glass", "kitchen"), (47, "cup", "kitchen"), (48, "fork", "kitchen"), (49, "knife", "kitchen"),
    (50, "spoon", "kitchen"), (51, "bowl", "kitchen"), (52, "banana", "food"), (53, "apple", "food"),
    (54, "sandwich", "food"), (55, "orange", "food"), (56, "broccoli", "food"), (57, "carrot", "food"),
    (58, "hot dog", "food"), (59, "pizza", "food"), (60, "donut", "food"), (61, "cake", "food"),
    (62, "chair", "furniture"), (63, "couch", "furniture"), (64, "potted plant", "furniture"),
    (65, "bed", "furniture"), (67, "dining table", "furniture"), (70, "toilet", "furniture"),
    (72, "tv", "electronic"), (73, "laptop", "electronic"), (74, "mouse", "electronic"),
    (75, "remote", "electronic"), (76, "keyboard", "electronic"), (77, "cell phone", "electronic"),
    (78, "microwave", "appliance"), (79, "oven", "appliance"), (80, "toaster", "appliance"),
    (81, "sink", "appliance"), (82, "refrigerator", "appliance"), (84, "book", "indoor"),
    (85, "clock", "indoor"), (86, "vase", "indoor"), (87, "scissors", "indoor"), (88, "teddy bear", "indoor"),
    (89, "hair drier", "indoor"), (90, "toothbrush", "indoor"),
]  # fmt: skip


def _images(rng: np.random.Generator, n: int) -> tuple[list[dict[str, object]], np.ndarray, np.ndarray, np.ndarray]:
    ids = np.sort(rng.choice(np.arange(1, 600_000), size=n, replace=False))
    widths = rng.choice([640, 640, 640, 500, 480, 427, 612], size=n)
    heights = rng.choice([480, 480, 427, 640, 375, 612, 640], size=n)
    images = []
    for i, w, h in zip(ids.tolist(), widths.tolist(), heights.tolist(), strict=True):
        images.append(
            {
                "license": 1 + i % 8,
                "file_name": f"{i:012d}.jpg",
                "coco_url": f"http://images.example.org/train2017/{i:012d}.jpg",
                "height": h,
                "width": w,
                "date_captured": f"2013-11-{1 + i % 28:02d} 0{i % 10}:00:00",
                "flickr_url": f"http://farm.example.org/{i}.jpg",
                "id": i,
            }
        )
    return images, ids, widths, heights


def _rle_counts(rng: np.random.Generator, h: int, w: int) -> list[int]:
    total = h * w
    runs = rng.integers(20, 400, size=rng.integers(40, 160))
    cut = np.cumsum(runs)
    runs = runs[cut < total - 1]
    return [*runs.tolist(), int(total - runs.sum())]


def generate(path: Path, n_images: int, n_annotations: int, seed: int, fields: dict[str, Any] | None = None) -> None:
    """Write the file; see the module docstring. ``fields``: more fields, the same on every annotation."""
    rng = np.random.default_rng(seed)
    images, image_ids, widths, heights = _images(rng, n_images)
    # about 1% of images get no annotation
    annotated = np.sort(rng.choice(n_images, size=int(n_images * 0.99), replace=False))
    owner = np.sort(np.concatenate([annotated, rng.choice(annotated, size=n_annotations - len(annotated))]))
    category_ids = np.array([c[0] for c in CATEGORIES])
    weights = np.ones(len(CATEGORIES))
    weights[0] = 30.0  # person dominates, as in the real file
    cats = rng.choice(category_ids, size=n_annotations, p=weights / weights.sum())
    crowd = rng.random(n_annotations) < 0.01
    parts = np.where(rng.random(n_annotations) < 0.10, rng.integers(2, 4, size=n_annotations), 1)
    ann_ids = np.cumsum(rng.integers(1, 3, size=n_annotations)) + 1000
    header = {
        "info": {
            "description": "labelkit synthetic COCO (train2017 shape)",
            "url": "",
            "version": "1.0",
            "year": 2017,
            "contributor": "labelkit bench/gen_coco.py",
            "date_created": "2017/09/01",
        },
        "licenses": [{"url": f"http://licenses.example.org/{i}", "id": i, "name": f"License {i}"} for i in range(1, 9)],
        "images": images,
        "categories": [{"supercategory": s, "id": i, "name": n} for i, n, s in CATEGORIES],
    }
    head = orjson.dumps(header)
    with path.open("wb") as fh:
        fh.write(head[:-1] + b',"annotations":[')
        first = True
        chunk = 20_000
        for start in range(0, n_annotations, chunk):
            anns = []
            for k in range(start, min(start + chunk, n_annotations)):
                img = int(owner[k])
                w, h = int(widths[img]), int(heights[img])
                if crowd[k]:
                    x0, y0 = float(rng.integers(0, w // 2)), float(rng.integers(0, h // 2))
                    bw, bh = float(rng.integers(5, w - int(x0))), float(rng.integers(5, h - int(y0)))
                    seg: object = {"counts": _rle_counts(rng, h, w), "size": [h, w]}
                    area = float(round(bw * bh * 0.5))
                else:
                    rings = []
                    cx, cy = rng.uniform(0.2 * w, 0.8 * w), rng.uniform(0.2 * h, 0.8 * h)
                    r = rng.uniform(5, 0.2 * min(w, h))
                    for p in range(int(parts[k])):
                        n = int(rng.integers(12, 33)) if parts[k] == 1 else int(rng.integers(6, 16))
                        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
                        rad = r * rng.uniform(0.5, 1.0, n) / (1 + p)
                        ox, oy = (p * r * 0.9, 0.0) if p else (0.0, 0.0)
                        xs = np.clip(cx + ox + rad * np.cos(ang), 0, w)
                        ys = np.clip(cy + oy + rad * np.sin(ang), 0, h)
                        rings.append(np.round(np.stack([xs, ys], axis=1).ravel(), 2))
                    flat = np.concatenate(rings)
                    xs, ys = flat[0::2], flat[1::2]
                    x0, y0 = float(xs.min()), float(ys.min())
                    bw, bh = round(float(xs.max()) - x0, 2), round(float(ys.max()) - y0, 2)
                    seg = rings
                    area = round(bw * bh * 0.55, 4)
                anns.append(
                    {
                        "segmentation": seg,
                        "area": area,
                        "iscrowd": int(crowd[k]),
                        "image_id": int(image_ids[img]),
                        "bbox": [x0, y0, bw, bh],
                        "category_id": int(cats[k]),
                        "id": int(ann_ids[k]),
                        **(fields or {}),
                    }
                )
            body = orjson.dumps(anns, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1]
            if body:
                fh.write(body if first else b"," + body)
                first = False
        fh.write(b"]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--images", type=int, default=118_287)
    parser.add_argument("--annotations", type=int, default=860_001)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="a field added to every annotation, after the others (the rest of the file is the same), e.g. "
        '\'attributes={"occluded": false, "rotation": 0.0}\' as CVAT writes, or track_id=7',
    )
    args = parser.parse_args()
    fields = {}
    for given in args.field:
        name, _, value = given.partition("=")
        fields[name] = orjson.loads(value)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    generate(args.output, args.images, args.annotations, args.seed, fields)
    print(f"wrote {args.output} ({args.output.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
