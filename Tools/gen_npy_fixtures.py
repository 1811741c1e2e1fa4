#!/usr/bin/env python3
"""Writes the .npy/.npz fixtures for Tests/LeptonTests/NPYTests.swift and CLITests.swift.

Run from the repository root: python3 Tools/gen_npy_fixtures.py
The outputs are committed; tests never run Python. Values here are mirrored as literals in
NPYTests.swift, so change both together.
"""
import io
import os
import struct
import zipfile

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "LeptonTests", "Fixtures", "npy")
CORRUPT = os.path.join(ROOT, "corrupt")
CLI = os.path.join(ROOT, "..", "cli")

F4 = np.array([[0.5, -1.25, 3.0], [1e-3, -0.0, 65504.0]], dtype="<f4")
F8 = np.array([0.1, -2.5, 1e300], dtype="<f8")
I4 = np.array([[1, -2], [2147483647, -2147483648]], dtype="<i4")
I8 = np.array([0, -1, 2**62, -(2**63)], dtype="<i8")
B1 = np.array([[True, False, True], [False, False, True]])
BIG = (np.arange(3000) % 17).astype("<i4")          # compressible: long back-references
NOISE = np.random.default_rng(0).standard_normal(300)  # barely compressible


def save(name, array, **kwargs):
    path = os.path.join(ROOT, name)
    if kwargs:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, array, **kwargs)
    else:
        np.save(path, array)


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def raw_npy(header, data=b"", version=(1, 0)):
    """A .npy with an arbitrary header text, padded like numpy pads it."""
    text = header.encode("latin1")
    length_format = "<H" if version[0] == 1 else "<I"
    prefix = 8 + struct.calcsize(length_format)
    pad = 64 - (prefix + len(text) + 1) % 64
    text += b" " * pad + b"\n"
    return b"\x93NUMPY" + bytes(version) + struct.pack(length_format, len(text)) + text + data


def add_entry(z, name, data, level=None):
    """Like ZipFile.writestr, with a fixed timestamp so regenerating changes no bytes."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    z.writestr(info, data, compress_type=z.compression, compresslevel=level)


def write_corrupt(name, data):
    with open(os.path.join(CORRUPT, name), "wb") as f:
        f.write(data)


def valid_fixtures():
    save("f4.npy", F4)
    save("f8.npy", F8)
    save("i4.npy", I4)
    save("i8.npy", I8)
    save("b1.npy", B1)
    save("scalar.npy", np.array(3.5, dtype="<f4"))
    save("empty.npy", np.zeros((0, 3), dtype="<f4"))
    save("empty_i8.npy", np.zeros((0,), dtype="<i8"))
    save("fortran_i4.npy", np.asfortranarray(np.arange(24, dtype="<i4").reshape(2, 3, 4)))
    save("fortran_f8.npy", np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)))
    save("big_endian_f4.npy", F4.astype(">f4"))
    save("big_endian_i8.npy", I8.astype(">i8"))
    save("big_endian_f8.npy", F8.astype(">f8"))
    save("v2.npy", F4, version=(2, 0))
    save("v3.npy", I4, version=(3, 0))
    arrays = dict(a=F4, b=I8, c=B1, big=BIG, noise=NOISE)
    np.savez(os.path.join(ROOT, "savez.npz"), **arrays)
    np.savez_compressed(os.path.join(ROOT, "savez_compressed.npz"), **arrays)
    for level in (0, 1, 9):  # 0: stored deflate blocks, 1: fast (fixed codes for small data), 9: best
        with zipfile.ZipFile(os.path.join(ROOT, f"deflate_level{level}.npz"), "w",
                             compression=zipfile.ZIP_DEFLATED, compresslevel=level) as z:
            add_entry(z, "a.npy", npy_bytes(F4), level)
            add_entry(z, "big.npy", npy_bytes(BIG), level)


def corrupt_npy():
    good = npy_bytes(F4)
    write_corrupt("empty.npy", b"")
    write_corrupt("bad_magic.npy", b"\x93NUMPX" + good[6:])
    write_corrupt("text.npy", b"hello, world\n")
    write_corrupt("truncated_prefix.npy", good[:8])
    write_corrupt("truncated_header.npy", good[:40])
    write_corrupt("bad_version.npy", good[:6] + b"\x04\x00" + good[8:])
    write_corrupt("header_not_dict.npy", raw_npy("hello"))
    write_corrupt("header_missing_shape.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, }"))
    write_corrupt("header_extra_key.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'foo': 1, }"))
    write_corrupt("header_bad_bool.npy", raw_npy("{'descr': '<f4', 'fortran_order': 1, 'shape': (), }"))
    write_corrupt("header_unterminated.npy", raw_npy("{'descr': '<f4"))
    write_corrupt("structured.npy", npy_bytes(np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")])))
    write_corrupt("unsupported_f2.npy", npy_bytes(np.zeros(2, dtype="<f2")))
    write_corrupt("unsupported_u1.npy", npy_bytes(np.zeros(2, dtype="u1")))
    write_corrupt("unsupported_c8.npy", npy_bytes(np.zeros(2, dtype="<c8")))
    write_corrupt("negative_shape.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-3, 4), }"))
    write_corrupt("huge_shape.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }"))
    write_corrupt("huge_but_representable.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483648, 1048576), }"))
    write_corrupt("overflowing_digits.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }"))
    write_corrupt("lying_shape_short.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", b"\0" * 32))
    write_corrupt("lying_shape_long.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", b"\0" * 16))


def corrupt_npz():
    stored = io.BytesIO()
    np.savez(stored, a=F4)
    stored = stored.getvalue()
    write_corrupt("truncated.npz", stored[: len(stored) // 2])
    write_corrupt("not_zip.npz", b"this is not a zip file at all\n")
    data_at = stored.index(b"\x93NUMPY") + 130  # inside a.npy's data
    write_corrupt("bad_crc.npz", stored[:data_at] + bytes([stored[data_at] ^ 0xFF]) + stored[data_at + 1:])
    deflated = io.BytesIO()
    with zipfile.ZipFile(deflated, "w", compression=zipfile.ZIP_DEFLATED) as z:
        add_entry(z, "a.npy", npy_bytes(F4))
    deflated = deflated.getvalue()
    start = 30 + len("a.npy")  # local header + name, no extra field
    write_corrupt("bad_deflate.npz", deflated[:start] + b"\x07" + deflated[start + 1:])  # BFINAL=1, BTYPE=3
    with zipfile.ZipFile(os.path.join(CORRUPT, "bad_entry.npz"), "w") as z:
        add_entry(z, "x.npy", b"definitely not npy")


def cli_fixtures():
    """Inputs and weights for the small graphs in Fixtures/cli (affine.graph: y = x @ w + 0.5)."""
    np.save(os.path.join(CLI, "w.npy"), np.array([[1, 2], [3, 4]], dtype="<f4"))
    np.save(os.path.join(CLI, "x.npy"), np.array([[1, 0], [0, 1]], dtype="<f4"))
    np.save(os.path.join(CLI, "x_wrong_shape.npy"), np.zeros((2, 3), dtype="<f4"))
    np.save(os.path.join(CLI, "x_wrong_dtype.npy"), np.zeros((2, 2), dtype="<f8"))
    with open(os.path.join(CLI, "corrupt.npy"), "wb") as f:
        f.write(b"\x93NUMPX" + npy_bytes(F4)[6:])


if __name__ == "__main__":
    os.makedirs(CORRUPT, exist_ok=True)
    os.makedirs(CLI, exist_ok=True)
    cli_fixtures()
    valid_fixtures()
    corrupt_npy()
    corrupt_npz()
