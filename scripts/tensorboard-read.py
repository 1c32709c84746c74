#!/usr/bin/env python3
"""Every scalar of a run directory's TensorBoard event files, as TensorBoard itself reads them.

Usage (needs `pip install tensorboard`; TensorBoardReadBackTest runs it):

    python scripts/tensorboard-read.py runs/<run>

Prints one JSON object: {"tag": [[step, value], ...], ...}, points in the order TensorBoard keeps
them (all files of the directory, in name order, with the points a SessionLog START purges left
out). Values are the float32 the files hold, printed exactly (repr of the Python float).
"""

import json
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator, SCALARS


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: tensorboard-read.py RUN_DIR")
    # 0 keeps every point: the default keeps a random sample of 10,000 per tag.
    acc = EventAccumulator(sys.argv[1], size_guidance={SCALARS: 0})
    acc.Reload()
    out = {tag: [[e.step, e.value] for e in acc.Scalars(tag)] for tag in acc.Tags()[SCALARS]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
