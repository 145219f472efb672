"""Minimal OLE compound files (the container of an .xls, and of an encrypted .xlsx) built in code for tests."""

from __future__ import annotations

import struct

END, FREE, FAT_SECTOR, NO_STREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")


def compound_file(streams: dict[str, bytes], mini_sized: bool = False) -> bytes:
    """A CFB v3 file (512-byte sectors) with these streams at its root. Each stream is padded to 4096 bytes and
    declared at that size, so it lives in ordinary sectors; mini_sized declares each at its real (small) size
    instead, pointing into a mini stream that is not there (a malformed file some readers trip over)."""
    names = sorted(streams, key=lambda n: (len(n), n.upper()))  # the order a directory's siblings keep
    datas = [streams[n].ljust(4096, b"\0") for n in names]
    dir_sectors = (len(names) + 1 + 3) // 4
    fat = [FAT_SECTOR] + [2 + i if i + 1 < dir_sectors else END for i in range(dir_sectors)]
    starts = []
    for data in datas:
        first, count = len(fat), -(-len(data) // 512)
        starts.append(first)
        fat += [first + i + 1 for i in range(count - 1)] + [END]
    assert len(fat) <= 128, "one FAT sector is enough for these tests"
    fat += [FREE] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le")
        return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw), kind, 1, NO_STREAM, right, child)
                + b"\0" * 36 + struct.pack("<IQ", start, size))

    entries = [entry("Root Entry", 5, 1 if names else NO_STREAM, NO_STREAM, END, 0)]
    for i, name in enumerate(names):
        size = len(streams[name]) if mini_sized else len(datas[i])
        entries.append(entry(name, 2, NO_STREAM, i + 2 if i + 1 < len(names) else NO_STREAM, starts[i], size))
    entries += [entry("", 0, NO_STREAM, NO_STREAM, 0, 0)] * (dir_sectors * 4 - len(entries))
    header = (SIGNATURE + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0) + struct.pack("<I", 0)
              + struct.pack("<I", FREE) * 108)
    return header + struct.pack("<128I", *fat) + b"".join(entries) + b"".join(datas)


def encrypted_xlsx() -> bytes:
    """What Excel writes for a workbook with an opening password: a compound file holding EncryptionInfo and
    EncryptedPackage instead of a zip (the contents here are placeholders; no reader gets past the names)."""
    return compound_file({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"\0" * 64})


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def password_xls(mini_sized: bool = False) -> bytes:
    """A BIFF8 .xls whose workbook stream says at once that it is encrypted (a FILEPASS record after BOF)."""
    bof = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06))
    filepass = _record(0x002F, struct.pack("<HHH", 1, 1, 1) + b"\0" * 48)
    return compound_file({"Workbook": bof + filepass + _record(0x000A, b"")}, mini_sized=mini_sized)
