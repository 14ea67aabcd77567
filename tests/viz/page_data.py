"""The page's data read the way its scripts read it, and a small PNG reader, for browser_test.py."""
import struct
import zlib
from pathlib import Path


def ramp_rgb(ramp, w):
    """common.js's rampRgb (and mha::viz::weight_color): linear between evenly spaced anchors."""
    anchors = [[int(h[k:k + 2], 16) for k in (1, 3, 5)] for h in ramp]
    x = min(max(w, 0.0), 1.0) * (len(anchors) - 1)
    k = min(int(x), len(anchors) - 2)
    t = x - k
    return [int(a + (b - a) * t + 0.5) for a, b in zip(anchors[k], anchors[k + 1])]


def weight(data, l, h, i, j):
    S = len(data['tokens'])
    return data['weights'][((l * data['heads'] + h) * S + i) * S + j]


def read_png_rgb(path):
    """A small PNG reader (8-bit RGB, any filter), to compare the PNG with the page's canvases."""
    raw = Path(path).read_bytes()
    assert raw[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat, width, height = 8, b'', 0, 0
    while pos < len(raw):
        length, kind = struct.unpack('>I4s', raw[pos:pos + 8])
        body = raw[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            width, height, depth, colour = struct.unpack('>IIBB', body[:10])
            assert (depth, colour) == (8, 2), 'expected 8-bit RGB'
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    data, stride, rows, prev = zlib.decompress(idat), width * 3, [], bytearray(width * 3)
    for y in range(height):
        kind, line = data[y * (stride + 1)], bytearray(data[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - 3] if x >= 3 else 0
            b, c = prev[x], prev[x - 3] if x >= 3 else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, rows
