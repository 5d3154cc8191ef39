"""Draw the VOS Portal logo (static/img/logo.svg) as the files browsers ask for at the
site's root: static/root/favicon.ico (16, 32 and 48 px) and apple-touch-icon.png (180 px,
square: iOS rounds it). No imaging library needed; run it after changing the logo:
python scripts/make_icons.py"""

import math
import struct
import zlib
from pathlib import Path

BLUE = (0x01, 0x72, 0xAD)
# In a 32x32 design, as in logo.svg: a rounded square (radius 7) and a "V" stroke from
# (8,9) to (16,24) to (24,9), 4 wide.
POINTS = [(8.0, 9.0), (16.0, 24.0), (24.0, 9.0)]
HALF = 2.0

RADIUS = 7.0


def in_rounded_rect(x, y, size=32.0, r=RADIUS):
    if not (0 <= x <= size and 0 <= y <= size):
        return False
    cx = min(max(x, r), size - r)
    cy = min(max(y, r), size - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def dist_seg(px, py, a, b):
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def in_stroke(x, y):
    return min(dist_seg(x, y, POINTS[i], POINTS[i + 1]) for i in range(len(POINTS) - 1)) <= HALF


def render(n, ss=6, radius=RADIUS):
    rows = []
    scale = 32.0 / n
    for j in range(n):
        row = bytearray()
        for i in range(n):
            cover = white = 0
            for sj in range(ss):
                for si in range(ss):
                    x = (i + (si + 0.5) / ss) * scale
                    y = (j + (sj + 0.5) / ss) * scale
                    if in_rounded_rect(x, y, r=radius):
                        cover += 1
                        if in_stroke(x, y):
                            white += 1
            total = ss * ss
            alpha = cover / total
            if cover:
                w = white / cover
                rgb = [round(c * (1 - w) + 255 * w) for c in BLUE]
            else:
                rgb = [0, 0, 0]
            row += bytes([*rgb, round(alpha * 255)])
        rows.append(bytes(row))
    return rows


def png(n, radius=RADIUS):
    rows = render(n, radius=radius)
    raw = b"".join(b"\x00" + r for r in rows)

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", n, n, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def ico(sizes):
    images = [png(n) for n in sizes]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries = b""
    for n, data in zip(sizes, images, strict=True):
        entries += struct.pack("<BBBBHHII", n % 256, n % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + entries + b"".join(images)


def main() -> None:
    root = Path(__file__).resolve().parent.parent / "static"
    (root / "root" / "favicon.ico").write_bytes(ico([16, 32, 48]))
    (root / "root" / "apple-touch-icon.png").write_bytes(png(180, radius=0.0))


if __name__ == "__main__":
    main()
