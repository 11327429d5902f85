"""Workbook parts are inflated with ISA-L, not zlib: the same bytes as zipfile reads, the same refusals."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from generator.excel.workbook import _ZIP_ERRORS, _inflate
from tests.cmrt_fixtures import corpus_workbooks, full_declaration, write


def parts(data: bytes) -> list[tuple[zipfile.ZipFile, zipfile.ZipInfo]]:
    zf = zipfile.ZipFile(io.BytesIO(data))
    return [(zf, info) for info in zf.infolist()]


def both(data: bytes, info_name: str) -> tuple[str, str]:
    """What zipfile and _inflate make of one part: its bytes, or the error's type and message."""
    results = []
    for read in (lambda zf, info: zf.read(info), lambda zf, info: _inflate(data, zf, info)):
        zf = zipfile.ZipFile(io.BytesIO(data))
        try:
            results.append(read(zf, zf.getinfo(info_name)).hex())
        except _ZIP_ERRORS as err:
            results.append(f"{type(err).__name__}: {err}")
    return results[0], results[1]


def test_every_part_of_a_workbook_inflates_to_what_zipfile_reads(tmp_path):
    data = write(full_declaration("6.5"), tmp_path / "a.xlsx").read_bytes()
    for zf, info in parts(data):
        assert _inflate(data, zf, info) == zf.read(info), info.filename


def test_every_part_of_the_corpus_inflates_to_what_zipfile_reads():
    files = [p for p in corpus_workbooks() if zipfile.is_zipfile(p)]  # not the encrypted ones
    assert len(files) > 20
    for path in files:
        data = path.read_bytes()
        for zf, info in parts(data):
            assert _inflate(data, zf, info) == zf.read(info), f"{path.name}: {info.filename}"


def damaged(tmp_path: Path, change) -> tuple[bytes, str]:
    """The fixture's bytes with `change(data, info)` made to them, and the name of the part changed."""
    data = bytearray(write(full_declaration("6.5"), tmp_path / "a.xlsx").read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    change(data, info)
    return bytes(data), info.filename


def test_a_part_that_fails_its_checksum_is_refused_as_zipfile_refuses_it(tmp_path):
    def flip_crc(data, info):  # in the central directory, whose CRC-32 both check against
        entry = bytes(data).find(b"PK\x01\x02")
        while entry >= 0:
            name_length = int.from_bytes(data[entry + 28:entry + 30], "little")
            if bytes(data[entry + 46:entry + 46 + name_length]) == info.filename.encode():
                data[entry + 16] ^= 0xFF
            entry = bytes(data).find(b"PK\x01\x02", entry + 4)

    data, name = damaged(tmp_path, flip_crc)
    theirs, ours = both(data, name)
    assert ours == theirs == f"BadZipFile: Bad CRC-32 for file '{name}'"


def test_a_part_whose_local_header_names_another_file_is_refused_as_zipfile_refuses_it(tmp_path):
    def rename(data, info):
        at = info.header_offset + 30
        data[at:at + 3] = b"zzz"

    data, name = damaged(tmp_path, rename)
    theirs, ours = both(data, name)
    assert ours == theirs and ours.startswith("BadZipFile: File name in directory")


def test_a_part_cut_short_is_an_error_not_a_crash(tmp_path):
    data = write(full_declaration("6.5"), tmp_path / "a.xlsx").read_bytes()
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = max(zf.infolist(), key=lambda i: i.compress_size)
    with pytest.raises(_ZIP_ERRORS):
        _inflate(data[:info.header_offset + 200], zf, info)


def test_a_directory_that_places_a_part_before_the_file_is_refused(tmp_path):
    data = write(full_declaration("6.5"), tmp_path / "a.xlsx").read_bytes()
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.infolist()[0]
    info.header_offset = -len(data) + 100  # as a directory that claims to start later than it does
    with pytest.raises(zipfile.BadZipFile):
        _inflate(data, zf, info)
