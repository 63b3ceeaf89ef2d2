"""Real, deterministic JPEG thumbnails from a tiny pure-Python baseline encoder.

The encoder works in the frequency domain: it chooses each 8x8 block's quantised DCT coefficients
directly (a flat colour per block plus a little grain), so it needs no DCT and stays fast. The
result is an ordinary baseline JFIF file (SOF0, 8-bit, three 1x1 components, the standard Huffman
tables of ITU T.81 Annex K) that any decoder reads.

Sixteen 250x250 portraits (a head on a two-tone background, like Immich's face crops) are encoded
once per process; a person's thumbnail is one of them, chosen from the seed and the person's id,
with a COM segment naming the person, so every person's bytes differ. ``Thumbnail`` can be padded
to an exact size with further COM segments and is streamed in chunks, never held whole.
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["THUMBNAIL_PIXELS", "Thumbnail", "encode_jpeg", "person_thumbnail"]

THUMBNAIL_PIXELS = 250
_TEMPLATES = 16
_MAX_SEGMENT_PAYLOAD = 65533  # a segment's length field (2 bytes) counts itself
_MAX_SEGMENT = _MAX_SEGMENT_PAYLOAD + 4  # marker + length + payload
_FILL = b" " * _MAX_SEGMENT_PAYLOAD

# ITU T.81 Annex K.3: the typical luminance tables (number of codes per length 1..16, symbols).
_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_VALUES = tuple(range(12))
_AC_BITS = (0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D)
_AC_VALUES = bytes.fromhex(
    "01020300041105122131410613516107"
    "227114328191a1082342b1c11552d1f0"
    "2433627282090a161718191a25262728"
    "292a3435363738393a43444546474849"
    "4a535455565758595a63646566676869"
    "6a737475767778797a83848586878889"
    "8a92939495969798999aa2a3a4a5a6a7"
    "a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5"
    "c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2"
    "e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8"
    "f9fa"
)

_JFIF = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
_SOI = b"\xff\xd8"
_EOI = b"\xff\xd9"

Block = tuple[int, tuple[tuple[int, int], ...]]
"""One 8x8 block: the DC coefficient and ``(zigzag index 1..63, value)`` AC coefficients."""


def _codes(bits: tuple[int, ...], values: bytes | tuple[int, ...]) -> dict[int, tuple[int, int]]:
    """Canonical Huffman codes (T.81 Annex C): symbol -> (code, length)."""
    table: dict[int, tuple[int, int]] = {}
    code = 0
    symbols = iter(values)
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            table[next(symbols)] = (code, length)
            code += 1
        code <<= 1
    return table


_DC_CODES = _codes(_DC_BITS, _DC_VALUES)
_AC_CODES = _codes(_AC_BITS, _AC_VALUES)


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


class _BitWriter:
    """Packs Huffman codes MSB first, stuffing a zero byte after every 0xFF."""

    def __init__(self) -> None:
        self.out = bytearray()
        self._acc = 0
        self._count = 0

    def write(self, code: int, length: int) -> None:
        self._acc = (self._acc << length) | code
        self._count += length
        while self._count >= 8:
            self._count -= 8
            byte = (self._acc >> self._count) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:
                self.out.append(0)
        self._acc &= (1 << self._count) - 1

    def finish(self) -> bytes:
        if self._count:
            self.write((1 << (8 - self._count)) - 1, 8 - self._count)  # pad with one-bits
        return bytes(self.out)


def _write_value(writer: _BitWriter, code: tuple[int, int], size: int, value: int) -> None:
    """A Huffman code, then the value's ``size`` low bits (negative values offset, T.81 F.1.2.1)."""
    writer.write(*code)
    if size:
        writer.write(value if value > 0 else value + (1 << size) - 1, size)


def encode_jpeg(width: int, height: int, blocks: list[list[Block]]) -> bytes:
    """Encode a baseline JPEG from per-block coefficients.

    Args:
        width: image width in pixels.
        height: image height in pixels.
        blocks: for each of the three components (Y, Cb, Cr), ``ceil(width/8) * ceil(height/8)``
            blocks in raster order. Coefficients are final values: the quantisation table is all ones.

    Example::

        grey = [[(0, ())] * 4 for _ in range(3)]
        data = encode_jpeg(16, 16, grey)  # a 16x16 mid-grey JPEG
    """
    count = -(-width // 8) * -(-height // 8)
    if len(blocks) != 3 or any(len(component) != count for component in blocks):
        raise ValueError(f"need 3 components of {count} blocks each")
    writer = _BitWriter()
    previous = [0, 0, 0]
    for index in range(count):
        for component in range(3):
            dc, ac = blocks[component][index]
            diff = dc - previous[component]
            _write_value(writer, _DC_CODES[abs(diff).bit_length()], abs(diff).bit_length(), diff)
            previous[component] = dc
            position = 0
            for zigzag, value in sorted(ac):
                if not 1 <= zigzag <= 63 or zigzag <= position or value == 0:
                    raise ValueError(f"bad AC coefficient at {zigzag}")
                run = zigzag - position - 1
                while run > 15:
                    writer.write(*_AC_CODES[0xF0])  # ZRL: sixteen zeros
                    run -= 16
                size = abs(value).bit_length()
                _write_value(writer, _AC_CODES[(run << 4) | size], size, value)
                position = zigzag
            if position < 63:
                writer.write(*_AC_CODES[0x00])  # EOB
    quantisation = _segment(0xDB, b"\x00" + b"\x01" * 64)
    frame = _segment(
        0xC0,
        b"\x08" + height.to_bytes(2, "big") + width.to_bytes(2, "big") + b"\x03\x01\x11\x00\x02\x11\x00\x03\x11\x00",
    )
    huffman = _segment(0xC4, b"\x00" + bytes(_DC_BITS) + bytes(_DC_VALUES) + b"\x10" + bytes(_AC_BITS) + _AC_VALUES)
    scan = _segment(0xDA, b"\x03\x01\x00\x02\x00\x03\x00\x00\x3f\x00")
    return _SOI + _JFIF + quantisation + frame + huffman + scan + writer.finish() + _EOI


def _ycbcr_dc(rgb: tuple[float, float, float]) -> tuple[int, int, int]:
    """JFIF colour conversion, then each channel's DC coefficient (8 x level-shifted mean)."""
    r, g, b = rgb
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return tuple(round(8 * (channel - 128)) for channel in (y, cb, cr))  # type: ignore[return-value]


@functools.lru_cache(maxsize=_TEMPLATES)
def _portrait(index: int) -> bytes:
    """Portrait number ``index``: the body of a thumbnail, from DQT to EOI (SOI and APP0 stripped)."""
    rng = random.Random(index)  # noqa: S311 - seeded picture noise, not a secret
    hue = index / _TEMPLATES
    top = colorsys.hsv_to_rgb(hue, 0.35, 0.92)
    bottom = colorsys.hsv_to_rgb((hue + 0.08) % 1, 0.55, 0.55)
    skin = colorsys.hsv_to_rgb(0.07 + rng.uniform(-0.02, 0.02), rng.uniform(0.25, 0.6), rng.uniform(0.55, 0.95))
    shirt = colorsys.hsv_to_rgb((hue + 0.5) % 1, 0.6, 0.45)
    side = -(-THUMBNAIL_PIXELS // 8)
    planes: list[list[Block]] = [[], [], []]
    for by in range(side):
        for bx in range(side):
            x, y = (bx * 8 + 4) / THUMBNAIL_PIXELS, (by * 8 + 4) / THUMBNAIL_PIXELS
            if (x - 0.5) ** 2 + ((y - 0.42) / 1.25) ** 2 < 0.045:
                colour = skin
            elif (x - 0.5) ** 2 / 0.16 + (y - 1.05) ** 2 / 0.12 < 1:
                colour = shirt
            else:
                colour = tuple(t + (b - t) * (x + y) / 2 for t, b in zip(top, bottom, strict=True))  # type: ignore[assignment]
            dcs = _ycbcr_dc((colour[0] * 255, colour[1] * 255, colour[2] * 255))
            grain = tuple(
                (position, rng.choice((-1, 1)) * rng.randint(1, 14)) for position in sorted(rng.sample(range(1, 10), 3))
            )
            planes[0].append((dcs[0], grain))
            planes[1].append((dcs[1], ()))
            planes[2].append((dcs[2], ()))
    data = encode_jpeg(THUMBNAIL_PIXELS, THUMBNAIL_PIXELS, planes)
    return data[len(_SOI) + len(_JFIF) :]


@dataclass(frozen=True)
class Thumbnail:
    """A thumbnail's bytes, described rather than held: ``head``, COM padding, ``body``.

    Attributes:
        head: SOI, APP0 and a COM segment naming the person.
        padding: payload sizes of the extra COM segments that bring the file to its target size.
        body: the shared portrait, from DQT to EOI.
    """

    head: bytes
    padding: tuple[int, ...]
    body: bytes

    @property
    def size(self) -> int:
        """Total length in bytes."""
        return len(self.head) + sum(4 + n for n in self.padding) + len(self.body)

    def chunks(self) -> Iterator[bytes]:
        """The file in pieces of at most about 64 KiB, built as they are sent."""
        yield self.head
        for n in self.padding:
            yield b"\xff\xfe" + (n + 2).to_bytes(2, "big") + _FILL[:n]
        yield self.body

    def to_bytes(self) -> bytes:
        """The whole file."""
        return b"".join(self.chunks())


def person_thumbnail(seed: int, person_id: str, size: int | None = None) -> Thumbnail:
    """The thumbnail of ``person_id``: deterministic from ``seed``, padded to ``size`` bytes if given.

    Raises:
        ValueError: ``size`` is smaller than the unpadded thumbnail.
    """
    digest = hashlib.sha256(f"{seed}:{person_id}".encode()).digest()
    body = _portrait(digest[0] % _TEMPLATES)
    text = f"immiche fake Immich thumbnail; person {person_id}".encode()
    fill, padding = 0, []
    if size is not None:
        extra = size - (len(_SOI) + len(_JFIF) + 4 + len(text) + len(body))
        if extra < 0:
            raise ValueError(f"thumbnail_size must be at least {size - extra} bytes")
        room = _MAX_SEGMENT_PAYLOAD - len(text)
        fill = min(extra, room)
        rest = extra - fill
        while rest > 0:
            segment = min(rest, _MAX_SEGMENT)
            padding.append(segment)
            rest -= segment
        if padding and padding[-1] < 4:  # too small for a segment: borrow from the first COM
            fill -= 4 - padding[-1]
            padding[-1] = 4
    head = _SOI + _JFIF + _segment(0xFE, text + _FILL[:fill])
    return Thumbnail(head=head, padding=tuple(n - 4 for n in padding), body=body)
