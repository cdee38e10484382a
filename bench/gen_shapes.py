"""Seeded synthetic datasets shaped otherwise than train2017, for the performance cliffs real datasets meet.

Shapes:
    masks      COCO, every annotation a crowd RLE mask of uncompressed counts, as CVAT's COCO export writes
               masks (100,000 masks of about 170 counts on 50,000 images of 640 x 480: 82 MB)
    keypoints  COCO person keypoints: 17 points and a 22-point polygon each (200,000 annotations, 50,000 images)
    pose       labelkit JSON of 60,000 keypoint objects of 17 points on 20,000 images (YOLO pose writes)

Usage:
    python bench/gen_shapes.py masks /dev/shm/masks.json
    python bench/turns.py --tree OLD_CHECKOUT --tree . --repeat 3 -- info /dev/shm/masks.json
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

import orjson

WIDTH, HEIGHT = 640, 480


def _images(n: int) -> list[dict[str, Any]]:
    return [{"id": i, "file_name": f"{i:012d}.jpg", "width": WIDTH, "height": HEIGHT} for i in range(1, n + 1)]


def masks(rng: random.Random, n: int = 100_000, images: int = 50_000) -> dict[str, Any]:
    """A blob per annotation, painted column by column: its RLE counts alternate background and blob runs."""
    annotations = []
    for k in range(1, n + 1):
        x0, w, y0 = rng.randint(0, 500), rng.randint(40, 130), rng.randint(0, 300)
        counts, end = [], 0
        for x in range(x0, x0 + w):
            top = y0 + rng.randint(0, 10)
            bottom = top + rng.randint(50, 150)
            counts += [x * HEIGHT + top - end, bottom - top]
            end = x * HEIGHT + bottom
        counts.append(WIDTH * HEIGHT - end)
        annotations.append(
            {
                "id": k,
                "image_id": rng.randint(1, images),
                "category_id": rng.randint(1, 5),
                "bbox": [x0, y0, w, 170],
                "area": 1000,
                "iscrowd": 1,
                "segmentation": {"size": [HEIGHT, WIDTH], "counts": counts},
            }
        )
    categories = [{"id": i, "name": f"c{i}", "supercategory": "x"} for i in range(1, 6)]
    return {"images": _images(images), "annotations": annotations, "categories": categories}


def keypoints(rng: random.Random, n: int = 200_000, images: int = 50_000) -> dict[str, Any]:
    annotations = []
    for k in range(1, n + 1):
        polygon = [round(rng.uniform(0, 400), 2) for _ in range(44)]
        points: list[float] = []
        for _ in range(17):
            points += [round(rng.uniform(0, 600)), round(rng.uniform(0, 400)), 2]
        annotations.append(
            {
                "id": k,
                "image_id": rng.randint(1, images),
                "category_id": 1,
                "bbox": [1.5, 2.5, 30.25, 40.5],
                "area": 100.0,
                "iscrowd": 0,
                "segmentation": [polygon],
                "keypoints": points,
                "num_keypoints": 17,
            }
        )
    person = {"id": 1, "name": "person", "supercategory": "person", "keypoints": [f"k{i}" for i in range(17)]}
    return {"images": _images(images), "annotations": annotations, "categories": [{**person, "skeleton": [[1, 2]]}]}


def pose(rng: random.Random, items: int = 20_000) -> dict[str, Any]:
    records, annotations = [], []
    for i in range(items):
        records.append(
            {"id": f"i{i}", "media": {"path": f"i{i}.jpg", "width": WIDTH, "height": HEIGHT}, "split": "train"}
        )
        for j in range(3):
            points: list[float] = []
            for _ in range(17):
                points += [round(rng.uniform(0, 640), 2), round(rng.uniform(0, 480), 2), rng.choice([0, 1, 2])]
            annotations.append(
                {
                    "id": f"o{i}_{j}",
                    "item_id": f"i{i}",
                    "category_id": 1,
                    "kind": "object",
                    "shape": "keypoints",
                    "bbox": [10, 10, 100.5, 200.25],
                    "keypoints": points,
                }
            )
    categories = [{"id": 1, "name": "person", "keypoints": [f"k{p}" for p in range(17)]}]
    return {"format": "labelkit", "version": 1, "categories": categories, "items": records, "annotations": annotations}


SHAPES = {"masks": masks, "keypoints": keypoints, "pose": pose}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shape", choices=sorted(SHAPES))
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    document = SHAPES[args.shape](random.Random(args.seed))
    args.output.write_bytes(orjson.dumps(document))
    print(f"wrote {args.output} ({args.output.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
