#!/usr/bin/env python3
"""png_not_blank.py PNG WIDTH HEIGHT - a browser's screenshot shows a page, not a blank sheet.

Python standard library only (zlib). Fails unless PNG is a PNG of WIDTH x HEIGHT, 8-bit RGB or
RGBA, whose scanlines are not all alike: a page of one colour (blank white, or an error page's
grey) has at most a handful of distinct scanlines (rows are identical, whatever filter the
encoder chose), while a rendered report has hundreds. Also requires some rows in the lower half
of the image to differ, so that a page cut short after its header does not pass.
"""
import struct
import sys
import zlib


def main(path, width, height):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return f"{path}: not a PNG"
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + n
    if not ihdr:
        return f"{path}: no IHDR"
    w, h, depth, colour = ihdr[:4]
    if (w, h) != (width, height):
        return f"{path}: {w}x{h}, expected {width}x{height}"
    if depth != 8 or colour not in (2, 6):
        return f"{path}: bit depth {depth}, colour type {colour}: expected 8-bit RGB or RGBA"
    raw = zlib.decompress(b"".join(idat))
    stride = 1 + w * (3 if colour == 2 else 4)
    if len(raw) != stride * h:
        return f"{path}: {len(raw)} bytes of pixels, expected {stride * h}"
    rows = [raw[i * stride:(i + 1) * stride] for i in range(h)]
    distinct = len(set(rows))
    lower = len(set(rows[h // 2:]))
    print(f"{path}: {w}x{h}, {distinct} distinct scanlines ({lower} in the lower half)")
    if distinct < 100:
        return f"{path}: only {distinct} distinct scanlines: a blank page"
    if lower < 20:
        return f"{path}: only {lower} distinct scanlines in the lower half: the page stops early"
    return None


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    err = main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    if err:
        print(err)
        sys.exit(1)
