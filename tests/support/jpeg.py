"""A small baseline JPEG reader for tests: segments, frame, and a full entropy decode of the scan.

Decoding every block's Huffman-coded coefficients, and checking that the scan ends exactly where
the data does, proves a file is well-formed far better than looking at its first bytes. It reads
baseline (SOF0) files with any sampling factors and restart intervals, which covers both the fake
server's thumbnails and the real Immich thumbnail recorded in ``tests/fixtures``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class JpegError(ValueError):
    """The bytes are not a well-formed baseline JPEG."""


@dataclass
class Component:
    ident: int
    h: int
    v: int
    table: int = 0
    dc_table: int = 0
    ac_table: int = 0
    blocks: list[list[int]] = field(default_factory=list)  # 64 coefficients each, zigzag order


@dataclass
class Jpeg:
    width: int = 0
    height: int = 0
    markers: list[int] = field(default_factory=list)  # every segment marker, in order
    comments: list[bytes] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)


class _Bits:
    def __init__(self, data: bytes, start: int) -> None:
        self.data, self.pos, self.acc, self.count = data, start, 0, 0

    def bit(self) -> int:
        if self.count == 0:
            if self.pos >= len(self.data):
                raise JpegError("scan data runs past the end of the file")
            byte = self.data[self.pos]
            if byte == 0xFF:
                follower = self.data[self.pos + 1]
                if follower != 0x00:
                    raise JpegError(f"marker FF{follower:02X} inside the scan data")
                self.pos += 1
            self.pos += 1
            self.acc, self.count = byte, 8
        self.count -= 1
        return (self.acc >> self.count) & 1

    def bits(self, n: int) -> int:
        value = 0
        for _ in range(n):
            value = (value << 1) | self.bit()
        return value

    def align(self) -> None:
        """Skip the rest of the byte, which must be one-bits (the encoder's padding)."""
        if self.count and self.acc & ((1 << self.count) - 1) != (1 << self.count) - 1:
            raise JpegError("padding bits before a marker are not all ones")
        self.count = 0


def _huffman(counts: bytes, symbols: bytes) -> dict[tuple[int, int], int]:
    table, code, index = {}, 0, 0
    for length, count in enumerate(counts, start=1):
        for _ in range(count):
            table[(length, code)] = symbols[index]
            code, index = code + 1, index + 1
        code <<= 1
    return table


def _decode(bits: _Bits, table: dict[tuple[int, int], int]) -> int:
    code = 0
    for length in range(1, 17):
        code = (code << 1) | bits.bit()
        if (length, code) in table:
            return table[(length, code)]
    raise JpegError("invalid Huffman code")


def _extend(value: int, size: int) -> int:
    return value - (1 << size) + 1 if size and value < 1 << (size - 1) else value


def read_jpeg(data: bytes) -> Jpeg:
    """Parse and fully entropy-decode a baseline JPEG; raise JpegError on any defect."""
    if data[:2] != b"\xff\xd8":
        raise JpegError("no SOI marker")
    jpeg, pos = Jpeg(), 2
    tables: dict[tuple[int, int], dict[tuple[int, int], int]] = {}
    restart = 0
    while True:
        if pos + 4 > len(data) or data[pos] != 0xFF:
            raise JpegError(f"expected a marker at offset {pos}")
        marker = data[pos + 1]
        jpeg.markers.append(marker)
        if marker == 0xD9:
            raise JpegError("EOI before any scan")
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        payload = data[pos + 4 : pos + 2 + length]
        if len(payload) != length - 2:
            raise JpegError(f"segment FF{marker:02X} runs past the end")
        if marker in (0xC1, 0xC2, 0xC3) or (0xC5 <= marker <= 0xCF and marker not in (0xC8, 0xCC)):
            raise JpegError(f"not a baseline JPEG (SOF FF{marker:02X})")
        if marker == 0xFE:
            jpeg.comments.append(payload)
        elif marker == 0xC0:
            if payload[0] != 8:
                raise JpegError("baseline JPEGs have 8-bit samples")
            jpeg.height = int.from_bytes(payload[1:3], "big")
            jpeg.width = int.from_bytes(payload[3:5], "big")
            for i in range(payload[5]):
                ident, sampling, table = payload[6 + 3 * i : 9 + 3 * i]
                jpeg.components.append(Component(ident, sampling >> 4, sampling & 15, table))
        elif marker == 0xC4:
            at = 0
            while at < len(payload):
                kind_id, counts = payload[at], payload[at + 1 : at + 17]
                symbols = payload[at + 17 : at + 17 + sum(counts)]
                tables[(kind_id >> 4, kind_id & 15)] = _huffman(counts, symbols)
                at += 17 + sum(counts)
        elif marker == 0xDD:
            restart = int.from_bytes(payload[:2], "big")
        elif marker == 0xDA:
            return _scan(jpeg, data, pos + 2 + length, payload, tables, restart)
        pos += 2 + length


def _scan(
    jpeg: Jpeg,
    data: bytes,
    start: int,
    header: bytes,
    tables: dict[tuple[int, int], dict[tuple[int, int], int]],
    restart: int,
) -> Jpeg:
    by_id = {c.ident: c for c in jpeg.components}
    order = []
    for i in range(header[0]):
        ident, selectors = header[1 + 2 * i], header[2 + 2 * i]
        component = by_id[ident]
        component.dc_table, component.ac_table = selectors >> 4, selectors & 15
        order.append(component)
    if len(order) != len(jpeg.components):
        raise JpegError("only single-scan (interleaved) baseline files are supported")
    hmax = max(c.h for c in order)
    vmax = max(c.v for c in order)
    mcus = -(-jpeg.width // (8 * hmax)) * -(-jpeg.height // (8 * vmax))
    bits = _Bits(data, start)
    previous = {c.ident: 0 for c in order}
    for mcu in range(mcus):
        if restart and mcu and mcu % restart == 0:
            bits.align()
            if data[bits.pos] != 0xFF or not 0xD0 <= data[bits.pos + 1] <= 0xD7:
                raise JpegError(f"missing restart marker before MCU {mcu}")
            bits.pos += 2
            previous = dict.fromkeys(previous, 0)
        for component in order:
            for _ in range(component.h * component.v):
                size = _decode(bits, tables[(0, component.dc_table)])
                previous[component.ident] += _extend(bits.bits(size), size)
                block = [previous[component.ident]] + [0] * 63
                k = 1
                while k < 64:
                    symbol = _decode(bits, tables[(1, component.ac_table)])
                    run, size = symbol >> 4, symbol & 15
                    if size == 0:
                        if run != 15:
                            break  # EOB
                        k += 16
                        continue
                    k += run
                    if k > 63:
                        raise JpegError("AC coefficients run past the block")
                    block[k] = _extend(bits.bits(size), size)
                    k += 1
                component.blocks.append(block)
    bits.align()
    if data[bits.pos : bits.pos + 2] != b"\xff\xd9" or bits.pos + 2 != len(data):
        raise JpegError(f"the scan does not end with EOI at the end of the file (offset {bits.pos} of {len(data)})")
    jpeg.markers.append(0xD9)
    return jpeg
