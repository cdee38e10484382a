"""Write a YOLO detect dataset of N small images: what reading a dataset's image sizes costs, per image.

An Ultralytics folder layout (``data.yaml``, ``images/train/``, ``labels/train/``) of N copies of one small JPEG
(or PNG), a label file of two boxes for 9 images in 10 (the others have none, as background images). Sizes come
from the images' headers: ``python bench/turns.py --tree OLD_CHECKOUT --tree . --repeat 3 -- info OUT`` compares
two checkouts reading it.

Usage:
    python bench/gen_yolo_images.py /tmp/yolo_images --images 100000
    python bench/gen_yolo_images.py /tmp/yolo_pngs --images 100000 --png
"""

from __future__ import annotations

import argparse
import io
import shutil
from pathlib import Path

from PIL import Image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--png", action="store_true", help="PNG images instead of JPEGs")
    args = parser.parse_args()
    out: Path = args.output
    if out.exists():
        shutil.rmtree(out)
    images, labels = out / "images" / "train", out / "labels" / "train"
    images.mkdir(parents=True)
    labels.mkdir(parents=True)
    data = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 30)).save(data, "PNG" if args.png else "JPEG", quality=50)
    image, suffix = data.getvalue(), ".png" if args.png else ".jpg"
    for i in range(args.images):
        (images / f"{i:07d}{suffix}").write_bytes(image)
        if i % 10:
            (labels / f"{i:07d}.txt").write_text("0 0.5 0.5 0.2 0.2\n1 0.3 0.3 0.1 0.1\n")
    (out / "data.yaml").write_text("path: .\ntrain: images/train\nnames:\n  0: a\n  1: b\n")
    print(f"wrote {out} ({args.images:,} images)")


if __name__ == "__main__":
    main()
