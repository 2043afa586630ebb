"""Low-level, defensive access to .xlsx/.xlsm files: vetting, defined names, cell values, safe writes.

Everything a user hands us is untrusted: it may be a CSV renamed .xlsx, an old .xls, a
password-protected file, a truncated zip, a zip bomb, an XML entity bomb, or a workbook whose
names point at other files. `open_package` vets the file before any spreadsheet library sees
it, and every failure is a one-line `PartnerfitError`. Values are read with python-calamine
(fast, never evaluates anything); defined names are parsed from xl/workbook.xml with defusedxml.
"""

from __future__ import annotations

import math
import os
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np

from .errors import PartnerfitError

MAX_UNPACKED_BYTES = 512 * 1024 * 1024
"""Largest total size of a workbook's unpacked parts (a zip bomb unpacks to far more)."""
MAX_RATIO = 200
"""Largest compression ratio of a single part; real sheets stay far below (typically 5-20)."""
MAX_RANGE_CELLS = 2_000_000
"""Largest defined-name range we read (a name spanning a whole sheet is refused)."""
MAX_SHEET_ROWS = 200_000
MAX_SHEET_CELLS = 20_000_000
"""Largest sheet we read, from A1 to the last row and column holding a value: a stray value at
row 1,048,576 would otherwise cost gigabytes."""
SCAN_CHUNK = 1 << 20
"""Bytes of sheet XML inflated and scanned at a time when vetting a sheet's size."""

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class Package:
    """A vetted workbook file."""

    path: Path
    parts: frozenset[str]
    macro_enabled: bool


def open_package(path: str | os.PathLike) -> Package:
    """Check that `path` is a readable, sane .xlsx/.xlsm and return what it holds."""
    path = Path(path)
    try:
        return _open_package(path)
    except OSError as error:  # a name too long, no permission, a vanished network drive, ...
        raise PartnerfitError(f"{path}: cannot be read ({error.strerror or error})") from None


def unpacked_size(path) -> int:
    """Bytes the parts of the zip file at `path` unpack to (what MAX_UNPACKED_BYTES limits)."""
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist())


def _open_package(path: Path) -> Package:
    if not path.exists():
        raise PartnerfitError(f"{path}: no such file")
    if not path.is_file():
        raise PartnerfitError(f"{path}: not a file")
    with open(path, "rb") as handle:
        head = handle.read(8)
        if head.startswith(_OLE2):
            body = handle.read(4 * 1024 * 1024)
            if _ENCRYPTED in body:
                raise PartnerfitError(
                    f"{path}: the workbook is password-protected; save an unprotected copy in Excel "
                    "(File > Info > Protect Workbook > Encrypt with Password: clear it) and try again"
                )
            raise PartnerfitError(
                f"{path}: this is an old .xls workbook; open it in Excel and save it as .xlsx"
            )
    if not head.startswith(_ZIP):
        kind = "an empty file" if not head else "a text or CSV file" if _is_text(head) else "unreadable binary data"
        raise PartnerfitError(f"{path}: {kind}, not an .xlsx workbook; save it from Excel as .xlsx")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError):
        raise PartnerfitError(
            f"{path}: the file is damaged or truncated (not a complete .xlsx); save it again from Excel"
        ) from None
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PartnerfitError(
                f"{path}: part {info.filename} unpacks {info.file_size // info.compress_size}-fold "
                "(a zip bomb?); refused"
            )
    if total > MAX_UNPACKED_BYTES:
        raise PartnerfitError(
            f"{path}: unpacks to {total / 2**20:.0f} MiB, more than the {MAX_UNPACKED_BYTES // 2**20} MiB "
            "partnerfit reads; refused"
        )
    parts = frozenset(info.filename for info in infos)
    if "xl/workbook.xml" not in parts or "[Content_Types].xml" not in parts:
        raise PartnerfitError(f"{path}: a zip file, but not an Excel workbook (no xl/workbook.xml)")
    return Package(path, parts, "xl/vbaProject.bin" in parts)


def _is_text(head: bytes) -> bool:
    return all(32 <= b < 127 or b in (9, 10, 13) for b in head) or head.startswith(b"\xef\xbb\xbf")


def read_part(package: Package, name: str) -> bytes:
    with zipfile.ZipFile(package.path) as archive:
        return archive.read(name)


def parse_xml(data: bytes, where: str):
    """Parse XML with defusedxml: entity declarations (XML bombs) are refused."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data)
    except DefusedXmlException:
        raise PartnerfitError(f"{where} declares XML entities (an XML bomb?); refused") from None
    except Exception as error:  # noqa: BLE001 - any parser failure means a broken file
        raise PartnerfitError(f"{where} is not valid XML ({error}); save the workbook again from Excel") from None


# ---------------------------------------------------------------- defined names

_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


@dataclass(frozen=True)
class Area:
    """A rectangular range of one sheet, 1-based and inclusive."""

    sheet: str
    top: int
    left: int
    bottom: int
    right: int

    @property
    def rows(self) -> int:
        return self.bottom - self.top + 1

    @property
    def cols(self) -> int:
        return self.right - self.left + 1

    def address(self, row: int = 0, col: int = 0) -> str:
        """Sheet!A1 address of the cell at offset (row, col) within the area."""
        return f"{self.sheet}!{column_letter(self.left + col)}{self.top + row}"


def column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index


@dataclass(frozen=True)
class Table:
    """An Excel table (ListObject): its sheet, its whole range and its column names."""

    sheet: str
    area: Area
    columns: tuple[str, ...]
    header_rows: int = 1
    totals_rows: int = 0

    def column_area(self, first: str, last: str | None = None, headers: bool = False) -> Area | None:
        """The data rows (and with `headers` the header rows) of the columns `first` to `last`
        (names as in the header, any case); None when the table lacks one."""
        keys = [c.casefold() for c in self.columns]
        try:
            left, right = keys.index(first.casefold()), keys.index((last or first).casefold())
        except ValueError:
            return None
        top = self.area.top + (0 if headers else self.header_rows)
        bottom = max(self.area.bottom - self.totals_rows, self.area.top + self.header_rows - 1)
        return Area(self.sheet, top, self.area.left + min(left, right), bottom, self.area.left + max(left, right))


_STRUCTURED = re.compile(r"^([A-Za-z_\\][\w.]*)\[(.*)\]$", re.S)
_ITEM = re.compile(r"\[((?:[^\[\]']|'.)*)\]")


def _unescape(column: str) -> str:
    """A column name as written in a structured reference: ' escapes [ ] # and '."""
    return re.sub(r"'(.)", r"\1", column).strip()


def _structured_area(name: str, text: str, tables: dict[str, Table]) -> Area | None:
    """`Table[Column]`, `Table[[First]:[Last]]`, `Table[[#Data],[Column]]` or `Table[[#Headers],[#Data],
    [First]:[Last]]` as the cells it means (partnerfit reads no totals rows: `#All` and `#Totals` are refused)."""
    match = _STRUCTURED.match(text)
    if not match:
        return None
    table = tables.get(match.group(1).casefold())
    if table is None:
        raise PartnerfitError(f"defined name {name} refers to a table {match.group(1)!r} that the workbook lacks; "
                              "restore the table or regenerate the workbook with partnerfit new")
    inner = match.group(2)
    items = _ITEM.findall(inner) if inner.startswith("[") else [inner]
    columns = [_unescape(i) for i in items if not i.startswith("#")]
    specials = {i.casefold() for i in items if i.startswith("#")}
    if not specials <= {"#data", "#headers"} or specials == {"#headers"} or not 1 <= len(columns) <= 2:
        raise PartnerfitError(f"defined name {name} is {text[:60]!r}; point it at table columns such as "
                              f"{match.group(1)}[Column]")
    area = table.column_area(*columns, headers="#headers" in specials)
    if area is None:
        raise PartnerfitError(f"defined name {name} refers to column {' or '.join(columns)!r}, which table "
                              f"{match.group(1)} lacks; restore the column's header")
    return area


def parse_area(name: str, text: str, tables: dict[str, Table] | None = None) -> Area:
    """Read a defined name's reference (e.g. `'My sheet'!$B$5:$F$54`, or `VendorTable[Vendor]`).

    `tables` (by lower-case name) resolves structured references to the table's current rows.
    """
    text = text.strip().lstrip("=")
    structured = _structured_area(name, text, tables or {})
    if structured is not None:
        return structured
    if "#REF!" in text:
        raise PartnerfitError(f"defined name {name} is broken (#REF!): its cells were deleted; "
                              "restore them or regenerate the workbook with partnerfit new")
    if text.startswith("[") or re.match(r"^'?\[", text):
        raise PartnerfitError(f"defined name {name} points to another workbook ({text[:60]}); "
                              "it must point into this workbook")
    match = _REF.match(text)
    if not match:
        raise PartnerfitError(f"defined name {name} is {text[:60]!r}, not a plain range; "
                              "point it at a block of cells such as Sheet!$A$1:$B$10")
    quoted, plain, c1, r1, c2, r2 = match.groups()
    sheet = quoted.replace("''", "'") if quoted else plain
    left, top = column_index(c1), int(r1)
    right, bottom = (column_index(c2), int(r2)) if c2 else (left, top)
    area = Area(sheet, min(top, bottom), min(left, right), max(top, bottom), max(left, right))
    if area.rows * area.cols > MAX_RANGE_CELLS:
        raise PartnerfitError(f"defined name {name} spans {area.rows:,} x {area.cols:,} cells, more than "
                              f"partnerfit reads ({MAX_RANGE_CELLS:,}); point it at the data only")
    return area


@dataclass(frozen=True)
class Workbook:
    """What xl/workbook.xml says: sheets (name -> part path) and workbook-level defined names."""

    sheets: dict[str, str]
    names: dict[str, str]
    tables: dict[str, Table]
    """By lower-case table name (Excel's table names are unique regardless of case)."""

    def area(self, name: str) -> Area:
        """The cells of the defined name `name` (KeyError when the workbook lacks it)."""
        return parse_area(name, self.names[name], self.tables)


def read_workbook(package: Package) -> Workbook:
    where = f"{package.path} (xl/workbook.xml)"
    root = parse_xml(read_part(package, "xl/workbook.xml"), where)
    rels_part = "xl/_rels/workbook.xml.rels"
    targets = {}
    if rels_part in package.parts:
        for rel in parse_xml(read_part(package, rels_part), f"{package.path} ({rels_part})"):
            target = rel.get("Target", "")
            targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    sheets = {s.get("name"): targets.get(s.get(f"{_REL_NS}id"), "") for s in root.iter(f"{_MAIN_NS}sheet")}
    names = {}
    for element in root.iter(f"{_MAIN_NS}definedName"):
        name = element.get("name", "")
        if element.get("localSheetId") is None and not name.startswith("_xlnm."):
            names[name] = element.text or ""
    return Workbook(sheets, names, _read_tables(package, sheets))


def _related(package: Package, part: str, kind: str) -> list[str]:
    """The parts that `part`'s relationships of type `kind` ("table", ...) point to (its _rels
    file), resolved from its folder."""
    folder, _, file = part.rpartition("/")
    rels = f"{folder}/_rels/{file}.rels"
    if rels not in package.parts:
        return []
    targets = []
    for rel in parse_xml(read_part(package, rels), f"{package.path} ({rels})"):
        if rel.get("Type", "").rpartition("/")[2] != kind:
            continue
        target = rel.get("Target", "")
        if target.startswith("/"):
            targets.append(target.lstrip("/"))
        else:
            parts = folder.split("/")
            for step in target.split("/"):
                if step == "..":
                    parts.pop()
                elif step not in ("", "."):
                    parts.append(step)
            targets.append("/".join(parts))
    return targets


def _read_tables(package: Package, sheets: dict[str, str]) -> dict[str, Table]:
    """Every table of every sheet, by lower-case name. A sheet's tables are found through its
    relationships: the sheet's own XML, which may be huge, is not parsed (see check_sheet_size)."""
    tables = {}
    if not any(p.startswith("xl/tables/") for p in package.parts):
        return tables
    for sheet, part in sheets.items():
        if part not in package.parts:
            continue
        for table_part in _related(package, part, "table"):
            if table_part not in package.parts:
                continue
            table = parse_xml(read_part(package, table_part), f"{package.path} ({table_part})")
            ref = table.get("ref", "")
            quoted = sheet.replace("'", "''")
            area = parse_area(table.get("name", ""), f"'{quoted}'!{ref}")
            columns = tuple(c.get("name", "") for c in table.iter(f"{_MAIN_NS}tableColumn"))
            tables[table.get("name", "").casefold()] = Table(
                sheet, area, columns, int(table.get("headerRowCount", "1")), int(table.get("totalsRowCount", "0")))
    return tables


# The tags that place cells, as python-calamine reads them: <row> and <c> by local name (any
# prefix), their references with spaces around "=" and either quote, as XML allows.
_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_AT = re.compile(rb"""(?<![\w:.-])r\s*=\s*["']([A-Z]{0,3})([0-9]{0,7})""")


def check_sheet_size(package: Package, sheet: str, part: str) -> None:
    """Refuse a sheet whose cells reach absurdly far (python-calamine would read it densely).

    Only cells with content count, placed as python-calamine places them: at their reference, or
    without one after the cell before in the row (the first at column A), in the row of the last
    row reference plus the rows closed since. Rows and cells may come in any order. A self-closing
    <c .../> or <row .../> holds nothing and python-calamine skips it: so do empty formatted rows
    and cells (LibreOffice writes one at row 1,048,576 once a row was deleted), and so does the
    sheet's declared dimension. (A cell with content counts even if that content is empty.)
    The XML is inflated and scanned a piece at a time, and the first piece that reaches beyond
    the limits refuses the sheet: memory stays bounded whatever the part's size.
    """
    if part not in package.parts or _plain_extent(package, sheet, part):
        return
    rows = cols = 0  # the extent of the cells with content (1-based)
    row = col = 0  # python-calamine's place for a cell without a reference (0-based)
    for piece in _pieces(package, part):
        for closing, name, attributes in _TAG.findall(piece):
            if attributes.endswith(b"/"):
                continue
            ref = None if closing else _AT.search(attributes)
            if name == b"row":
                if closing:
                    row, col = row + 1, 0
                elif ref and ref[2]:
                    row = int(ref[2]) - 1
            elif not closing:  # a cell: placed here, the next one after it
                if ref and ref[2]:
                    col = column_index(ref[1].decode() or "A") - 1
                rows, cols = max(rows, int(ref[2]) if ref and ref[2] else row + 1), max(cols, col + 1)
                col += 1
        _refuse_beyond(package, sheet, rows, cols)


def _refuse_beyond(package: Package, sheet: str, rows: int, cols: int) -> None:
    if rows > MAX_SHEET_ROWS or rows * cols > MAX_SHEET_CELLS:
        raise PartnerfitError(
            f"{package.path}: sheet {sheet!r} uses {rows:,} rows x {cols:,} columns, more than "
            f"partnerfit reads ({MAX_SHEET_ROWS:,} rows); delete the stray cells below or right of your data"
        )


_OTHER_CELL = re.compile(rb'<(?:[\w.-]+:c|c(?! r="[A-Z]{1,3}[0-9]{1,7}"))(?=[\s/>])')
"""A cell tag (any prefix) that does not start `<c r="A1"`."""
_PLAIN_FILLED = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?:[^>]*[^>/])?>')


def _plain_extent(package: Package, sheet: str, part: str) -> bool:
    """`check_sheet_size` for a sheet whose every cell tag starts `<c r="A1"` (as Excel, LibreOffice
    and XlsxWriter write them): each cell lies at its reference, so the extent is the largest row
    and column of the cells with content, found without a Python step per tag. False, having
    refused nothing, at the first piece holding any other cell tag (check_sheet_size then scans
    the sheet from its start, tag by tag)."""
    rows = cols = 0
    for piece in _pieces(package, part):
        if _OTHER_CELL.search(piece):
            return False
        cells = _PLAIN_FILLED.findall(piece)
        if cells:
            rows = max(rows, max(int(digits) for _, digits in cells))
            cols = max(cols, max(column_index(letters.decode()) for letters in {letters for letters, _ in cells}))
        _refuse_beyond(package, sheet, rows, cols)
    return True


def _pieces(package: Package, part: str) -> Iterator[bytes]:
    """A part's XML, inflated about SCAN_CHUNK at a time and cut after a ">" (no tag is cut in two)."""
    pending: list[bytes] = []  # text after the last ">" so far: the start of a tag, or no tag
    try:
        with zipfile.ZipFile(package.path) as archive, archive.open(part) as stream:
            while chunk := stream.read(SCAN_CHUNK):
                end = chunk.rfind(b">") + 1
                if not end:
                    pending.append(chunk)
                    continue
                yield b"".join(pending) + chunk[:end]
                pending = [chunk[end:]]
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise PartnerfitError(f"{package.path}: part {part} is damaged; save the workbook again from Excel") from None


# ---------------------------------------------------------------- values


class SheetValues:
    """Cell values of a workbook read once per sheet with python-calamine (no formula is evaluated).

    Blank cells read as None; formula cells as their cached results.
    """

    def __init__(self, package: Package, workbook: Workbook):
        from python_calamine import CalamineWorkbook

        try:
            self._book = CalamineWorkbook.from_path(str(package.path))
        except Exception as error:  # noqa: BLE001 - calamine raises several kinds
            raise PartnerfitError(f"{package.path}: cannot be read ({type(error).__name__}: "
                                  f"{str(error)[:80]}); save it again from Excel") from None
        self._sheets: dict[str, np.ndarray] = {}
        self._package = package
        self._workbook = workbook
        self.path = package.path

    def array(self, area: Area) -> np.ndarray:
        """The area's values as a 2-D object array (None for blanks); a view: do not modify it."""
        cells = self._sheet(area.sheet)[area.top - 1: area.bottom, area.left - 1: area.right]
        if cells.shape != (area.rows, area.cols):  # the area reaches beyond the sheet's used cells
            padded = np.full((area.rows, area.cols), None, dtype=object)
            padded[:cells.shape[0], :cells.shape[1]] = cells
            cells = padded
        return cells

    def block(self, area: Area) -> list[list]:
        """The area's values as rows of cells (None for blanks)."""
        return self.array(area).tolist()

    def _sheet(self, name: str) -> np.ndarray:
        if name not in self._sheets:
            if name not in self._workbook.sheets:
                raise PartnerfitError(f"{self.path}: sheet {name!r} is missing")
            check_sheet_size(self._package, name, self._workbook.sheets[name])
            try:
                sheet = self._book.get_sheet_by_name(name)
            except Exception:  # noqa: BLE001
                raise PartnerfitError(f"{self.path}: sheet {name!r} is missing") from None
            self._sheets[name] = _grid(sheet)
        return self._sheets[name]


def _grid(sheet) -> np.ndarray:
    """A python-calamine sheet's cells from A1 as a 2-D object array, None for blank cells.

    Rows are read one at a time (cheaper than `to_python`'s whole list of lists); the columns
    left of the used cells, and any rows above them that `iter_rows` leaves out, are blank.
    """
    if sheet.end is None:  # no cells at all
        return np.empty((0, 0), dtype=object)
    shape = (sheet.end[0] + 1, sheet.end[1] + 1)
    cells = np.fromiter(chain.from_iterable(sheet.iter_rows()), object).reshape(-1, shape[1] - sheet.start[1])
    if cells.shape != shape:
        grid = np.full(shape, None, dtype=object)
        grid[shape[0] - cells.shape[0]:, shape[1] - cells.shape[1]:] = cells
        cells = grid
    cells[cells == ""] = None  # how python-calamine reads a blank cell
    return cells


# ---------------------------------------------------------------- writing


def write_atomically(target: str | os.PathLike, write: Callable[[Path], None], force: bool = False) -> Path:
    """Write a file through `write(temp_path)` and move it into place only when complete.

    The temporary file lives in the target folder (so the final rename is atomic); an
    interrupted run leaves no partial output, and an existing target is kept unless `force`.
    A run killed outright (SIGKILL, power loss) cannot delete its temporary file: the next run
    for the same target removes it (`remove_abandoned`).
    """
    target = Path(target)
    try:
        if target.is_dir():
            raise PartnerfitError(f"{target} is a folder; give the name of the file to write")
        if target.exists() and not force:
            raise PartnerfitError(f"{target} already exists; choose another name or add --force to replace it")
        if not target.parent.exists():
            raise PartnerfitError(f"{target.parent}: no such folder")
        remove_abandoned(target)
        handle, temp = tempfile.mkstemp(prefix=_partial_prefix(target), suffix=target.suffix, dir=target.parent)
    except OSError as error:  # read-only folder, a name too long, no permission, ...
        raise PartnerfitError(f"{target}: cannot write there ({error.strerror or error})") from None
    temp_path = Path(temp)
    if not _lock(handle):  # no advisory locks here (Windows): nothing to hold open
        os.close(handle)
        handle = None
    try:
        write(temp_path)
        with open(temp_path, "rb+") as flushed:
            os.fsync(flushed.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp_path, 0o666 & ~umask)  # mkstemp's 0600 would hide the file from colleagues
        try:
            os.replace(temp_path, target)
        except OSError as error:
            raise PartnerfitError(f"{target}: cannot be replaced ({error.strerror or error})") from None
    finally:
        temp_path.unlink(missing_ok=True)
        if handle is not None:
            os.close(handle)  # releases the lock, after the rename
    return target


ABANDONED_AGE = 3600.0
"""Without advisory locks (Windows), a temporary file this many seconds old counts as abandoned."""


def _partial_prefix(target: Path) -> str:
    """Start of the temporary file's name: hidden, naming the target (the stem cut so that the
    whole name stays within the usual 255-character limit)."""
    return f".{target.stem[:100]}-partial-"


def _lock(handle: int) -> bool:
    """Hold an advisory lock on the temporary file while it is written: the lock vanishes with
    the process, however it ends, which is how `remove_abandoned` tells live files from dead."""
    try:
        import fcntl
    except ImportError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a file system without locks: a cleaner then finds it locked or leaves it
        pass
    return True


def _abandoned(path: Path) -> bool:
    try:
        import fcntl
    except ImportError:
        import time

        return time.time() - path.stat().st_mtime > ABANDONED_AGE
    handle = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a running partnerfit is writing it (or locks do not work here: keep it)
    finally:
        os.close(handle)  # also releases the lock we got
    return True


def remove_abandoned(target: str | os.PathLike) -> list[Path]:
    """Delete the temporary files that killed runs left for `target` (no running writer holds
    them); other files, and temporary files of runs still writing, are never touched."""
    target = Path(target)
    pattern = re.compile(re.escape(_partial_prefix(target)) + r"[a-z0-9_]{8}" + re.escape(target.suffix))
    removed = []
    for name in os.listdir(target.parent):
        path = target.parent / name
        if pattern.fullmatch(name):
            try:
                if path.is_file() and _abandoned(path):
                    path.unlink()
                    removed.append(path)
            except OSError:  # gone meanwhile, or not ours to delete: leave it
                continue
    return removed


# ---------------------------------------------------------------- patching cell values in place

_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"([^>/]*(?:/(?!>)[^>/]*)*)(?:/>|>([^<]*(?:<(?!/c>)[^<]*)*)</c>)')
_FORMULA = re.compile(rb"<f(?:\s[^>]*)?(?:/>|>.*?</f>)", re.S)
_TYPE = re.compile(rb'\s(?:t|cm|vm)="[^"]*"')
_RESULT_TYPE = re.compile(rb'\s(?:t|vm)="[^"]*"')
"""Attributes of a cell's result: its type, its dynamic-array metadata (cm) and its value metadata
(vm: Excel's rich error values, such as the #NAME? of a missing add-in), void once the result changes."""
_ARRAY_REF = re.compile(rb'(<f\b[^>]*\bt="array"[^>]*\bref=")[^"]*(")')
_OOXML_ESCAPE = re.compile("_x[0-9A-Fa-f]{4}_")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")
"""Characters XML cannot hold, or would turn into a line feed (a carriage return)."""


def ooxml_escape(text: str) -> str:
    """Cell text in OOXML's own escapes, as Excel writes it: a control character (a leading
    carriage return, say) as _x000D_, a literal "_x000D_" as "_x005F_x000D_" (XML's come after)."""
    text = _OOXML_ESCAPE.sub(lambda m: "_x005F" + m.group(0), text)
    return _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def _xml_text(text: str) -> bytes:
    """Cell text as a sheet's XML holds it: OOXML's escapes, then XML's."""
    return ooxml_escape(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


def _cell_value(value, keep_formula: bool) -> tuple[bytes, bytes]:
    """(type attribute, value XML) for a cell result."""
    if value is None or value == "" or (isinstance(value, float) and not math.isfinite(value)):
        return (b' t="str"', b"<v></v>") if keep_formula else (b"", b"")  # a static copy: an empty cell
    if isinstance(value, bool):
        return b' t="b"', b"<v>%d</v>" % value
    if isinstance(value, (int, float)):
        return b"", b"<v>" + repr(float(value)).encode() + b"</v>"
    if keep_formula:
        return b' t="str"', b"<v>" + _xml_text(str(value)) + b"</v>"
    return b' t="inlineStr"', b'<is><t xml:space="preserve">' + _xml_text(str(value)) + b"</t></is>"


def patch_sheet(xml: bytes, values: dict[str, object], keep_formulas: bool,
                default: Callable[[str], object] | None = None,
                spill: Collection[str] = frozenset(),
                arrays: dict[str, str] | None = None) -> tuple[bytes, set[str]]:
    """Set the results of the formula cells named in `values` (A1 refs) in a sheet's XML.

    With `keep_formulas`, the formulas stay and only their cached results change (what Excel
    shows until it recalculates); without, each formula is replaced by its value. A formula
    cell missing from `values` gets `default(ref)` when a default is given, else stays as it
    is. Cells that hold no formula are left alone, except those in `spill` (e.g. the results of an
    array formula beyond its anchor, stored as plain values), which take theirs from `values`;
    `arrays` maps an array formula's anchor to the range its results cover (Excel, without the
    add-in, shrinks a failed dynamic array to its anchor: the values written around it would then
    block its spill). Returns the new XML and the patched refs.
    """
    patched: set[str] = set()
    wanted = {ref.encode(): value for ref, value in values.items()}
    spilled = {ref.encode() for ref in spill}
    shown: dict[tuple, tuple[bytes, bytes]] = {}  # the XML of each distinct value, made once

    def result(value) -> tuple[bytes, bytes]:
        key = (type(value), value)
        if value == 0:  # 0.0 and -0.0 are equal keys, not the same text
            return _cell_value(value, keep_formulas)
        try:
            return shown[key]
        except KeyError:
            shown[key] = made = _cell_value(value, keep_formulas)
            return made
        except TypeError:  # an unhashable value
            return _cell_value(value, keep_formulas)

    def replace(match: re.Match) -> bytes:
        ref = match.group(1)
        if default is None and ref not in wanted:
            return match.group(0)
        body = match.group(3)
        formula = _formula(body) if body else None
        if formula is None:
            if ref not in spilled:
                return match.group(0)
            patched.add(ref.decode())
            kind, value = _cell_value(wanted[ref], False)
            return b'<c r="' + ref + b'"' + _TYPE.sub(b"", match.group(2)) + kind + b">" + value + b"</c>"
        name = ref.decode()
        value = wanted[ref] if ref in wanted else default(name)
        patched.add(name)
        # A dynamic-array anchor keeps its cm= (spill metadata) while its formula stays.
        attrs = match.group(2)
        if b"=" in attrs:
            attrs = (_RESULT_TYPE if keep_formulas else _TYPE).sub(b"", attrs)
        kind, value = result(value)
        if not keep_formulas:
            return b'<c r="' + ref + b'"' + attrs + kind + b">" + value + b"</c>"
        if arrays and name in arrays:
            formula = _ARRAY_REF.sub(lambda m: m.group(1) + arrays[name].encode() + m.group(2), formula)
        return b'<c r="' + ref + b'"' + attrs + kind + b">" + formula + value + b"</c>"

    return _CELL.sub(replace, xml), patched


def _formula(body: bytes) -> bytes | None:
    """The <f> element of a cell's XML (its first child, as the schema orders them), or None."""
    if b"<f" not in body:
        return None
    if not body.startswith(b"<f") or body[2:3] not in (b">", b" ", b"/", b"\t", b"\n", b"\r"):
        found = _FORMULA.search(body)  # not first: a file that orders children otherwise
        return found.group(0) if found else None
    close = body.find(b">")
    if body[close - 1:close] == b"/":
        return body[:close + 1]
    end = body.find(b"</f>", close)
    return body[:end + 4] if end >= 0 else None


def copy_with_patches(package: Package, target: Path, parts: dict[str, bytes]) -> None:
    """Copy the package to `target`, replacing the given parts; every other part is kept as is."""
    with zipfile.ZipFile(package.path) as source:
        names = [info.filename for info in source.infolist()]
    write_package(package, target, names, parts)


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")
_NEW_PART_TIME = (1980, 1, 1, 0, 0, 0)
"""The time stamp of a part partnerfit writes, as Excel and XlsxWriter stamp theirs."""


def write_package(package: Package, target: Path, names: list[str], parts: dict[str, bytes]) -> None:
    """Write the zip `target` holding the parts `names` in that order: each one in `parts` deflated,
    every other one copied from the package as it is stored there. A stored part is neither inflated
    nor deflated again (`zipfile` cannot copy a member so, and deflating the 5 MB Calc sheet costs
    30-50 ms): its bytes and checksum are copied from the package's zip headers (APPNOTE 4.3)."""
    central, offset = [], 0
    with zipfile.ZipFile(package.path) as source, open(package.path, "rb") as raw, open(target, "wb") as out:
        original = {info.filename: info for info in source.infolist()}
        for name in names:
            info = original.get(name)
            if name in parts or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 1:
                data = parts[name] if name in parts else source.read(name)  # (source.read refuses an encrypted part)
                deflate = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
                method, crc, size, stored = zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data), deflate.compress(data)
                stored += deflate.flush()
            else:
                method, crc, size, stored = info.compress_type, info.CRC, info.file_size, _stored(package, raw, info)
            try:
                encoded, flags = name.encode("ascii"), 0
            except UnicodeEncodeError:
                encoded, flags = name.encode("utf-8"), 0x800  # the name is UTF-8
            year, month, day, hour, minute, second = info.date_time if info is not None else _NEW_PART_TIME
            fields = (20, flags, method, hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day,
                      crc, len(stored), size, len(encoded))
            out.write(_LOCAL_HEADER.pack(b"PK\x03\x04", *fields, 0) + encoded)
            out.write(stored)
            made_by = (info.create_system if info is not None else 3) << 8 | 20
            external = info.external_attr if info is not None else 0o600 << 16
            central.append(_CENTRAL_HEADER.pack(b"PK\x01\x02", made_by, *fields, 0, 0, 0, 0, external, offset) + encoded)
            offset += _LOCAL_HEADER.size + len(encoded) + len(stored)
        directory = b"".join(central)
        if offset + len(directory) > 0xFFFFFFFF or len(central) >= 0xFFFF:  # beyond a plain zip (zip64)
            raise PartnerfitError(f"{package.path}: too large a workbook to copy ({len(central):,} parts, "
                                  f"{offset / 2**20:,.0f} MiB); split it")
        out.write(directory)
        out.write(_END_RECORD.pack(b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0))


def _stored(package: Package, raw, info: zipfile.ZipInfo) -> bytes:
    """A part's bytes as stored in the package (deflated or not), found after its local header."""
    raw.seek(info.header_offset)
    head = raw.read(_LOCAL_HEADER.size)
    if len(head) == _LOCAL_HEADER.size and head.startswith(b"PK\x03\x04"):
        name_length, extra_length = struct.unpack_from("<2H", head, 26)
        raw.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
        data = raw.read(info.compress_size)
        if len(data) == info.compress_size:
            return data
    raise PartnerfitError(f"{package.path}: part {info.filename} is damaged; save the workbook again from Excel")


# ---------------------------------------------------------------- a sealed copy, edited in its XML

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_ATTR = re.compile(r'([\w:]+)\s*=\s*("[^"]*"|\'[^\']*\')')
_SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\b[^>]*?/>")
_NAME_TAG = re.compile(r"<((?:\w+:)?)definedName\b([^>]*)>(.*?)</\1definedName>|<(?:\w+:)?definedName\b[^>]*/>", re.S)
_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\b[^>]*?/>")
_OVERRIDE = re.compile(r"<(?:\w+:)?Override\b[^>]*?/>")
_SI = re.compile(rb"<si\b[^>]*?(?:/>|>.*?</si>)", re.S)
_SHARED_REF = re.compile(rb'<c\b[^>]*\bt="s"[^>]*>(?:\s*<f\b[^>]*?(?:/>|>.*?</f>))?\s*<v>\s*(\d+)\s*</v>', re.S)
_EXTERNAL_NAME = re.compile(r"\[\d+\]")
"""How a formula or a name refers to a linked workbook: [1]Sheet!A1."""


def _attrs(tag: str) -> dict[str, str]:
    from xml.sax.saxutils import unescape

    return {k: unescape(v[1:-1], {"&quot;": '"', "&apos;": "'"}) for k, v in _ATTR.findall(tag)}


def _escape(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text, {'"': "&quot;"})


def _rels_part(part: str) -> str:
    folder, _, file = part.rpartition("/")
    return f"{folder}/_rels/{file}.rels" if folder else f"_rels/{file}.rels"


def _target(part: str, target: str) -> str:
    """A relationship's target as a part name, resolved from `part`'s folder."""
    if target.startswith("/"):
        return target.lstrip("/")
    steps = part.rpartition("/")[0].split("/") if "/" in part else []
    for step in target.split("/"):
        if step == "..":
            if steps:
                steps.pop()
        elif step not in ("", "."):
            steps.append(step)
    return "/".join(steps)


def _reachable(read: Callable[[str], bytes | None]) -> set[str]:
    """Every part reachable from the package's root relationships (internal targets only)."""
    seen, todo = set(), [""]
    while todo:
        part = todo.pop()
        rels = read(_rels_part(part) if part else "_rels/.rels")
        if rels is None:
            continue
        for tag in _RELATIONSHIP.findall(rels.decode("utf-8")):
            attrs = _attrs(tag)
            if attrs.get("TargetMode") == "External":
                continue
            target = _target(part, attrs.get("Target", ""))
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@dataclass(frozen=True)
class NewSheet:
    """A sheet `seal` adds: its name, its place among the sheets, its column widths and its rows of
    (value, bold) cells; text is written inline (never a formula), values wrap and align at the top."""

    name: str
    index: int
    widths: tuple[float, ...]
    rows: tuple[tuple[tuple[object, bool], ...], ...]


def seal(package: Package, target: Path, parts: dict[str, bytes], lock: dict[str, set[str]],
         drop_sheets: Collection[str] = (), drop_names: Collection[str] = (),
         sheet: NewSheet | None = None, names: dict[str, str] | None = None,
         hide_columns: dict[str, set[int]] | None = None, drop_formats: Callable[[str], object] | None = None) -> None:
    """Copy the package to `target` as a sealed copy, editing its XML (no spreadsheet library):
    `parts` replace parts (e.g. sheets whose formulas became values); the sheets `drop_sheets` go
    with everything only they used, and so do the defined names `drop_names`, the names local to a
    dropped sheet and every link to another workbook (names included); the cells `lock` (refs by
    sheet part) become locked, every worksheet protected; `sheet` is added, `names` (name -> text)
    defined; the columns `hide_columns` (1-based, by sheet part) are hidden, and the conditional
    formats with a formula for which `drop_formats` is true removed; the first sheet is active;
    strings no remaining cell uses are emptied. Every other
    part, and whatever a sheet holds (images, charts, shapes, macros), is kept byte for byte."""
    with zipfile.ZipFile(package.path) as source:
        original = {info.filename: info for info in source.infolist()}

        def read(part: str) -> bytes | None:
            if part in parts:
                return parts[part]
            return source.read(part) if part in original else None

        before = _reachable(read)
        book = read("xl/workbook.xml").decode("utf-8")
        rels = read("xl/_rels/workbook.xml.rels").decode("utf-8")
        rel_tags = {_attrs(t).get("Id"): t for t in _RELATIONSHIP.findall(rels)}
        prefix = re.search(r'xmlns:(\w+)="' + re.escape(_RELS) + '"', book)
        rid = f"{prefix.group(1) if prefix else 'r'}:id"  # openpyxl declares the prefix on each <sheet>
        sheet_tags = _SHEET_TAG.findall(book[book.find("<sheets") if "<sheets" in book else 0:])
        kept = [t for t in sheet_tags if _attrs(t).get("name") not in drop_sheets]
        dropped_ids = {_attrs(t).get(rid) for t in sheet_tags if t not in kept}
        position = {i: kept.index(t) for i, t in enumerate(sheet_tags) if t in kept}  # old -> new index
        new_tags = list(kept)
        new_parts: dict[str, bytes] = {}
        if sheet is not None:
            number = 1 + max((int(m) for m in re.findall(r"xl/worksheets/sheet(\d+)\.xml", " ".join(original))),
                             default=0)
            part, sheet_rid = f"xl/worksheets/sheet{number}.xml", f"rIdPartnerfit{number}"
            sheet_id = 1 + max((int(_attrs(t).get("sheetId", 0)) for t in sheet_tags), default=0)
            new_tags.insert(sheet.index, f'<sheet xmlns:{rid[:-3]}="{_RELS}" name="{_escape(sheet.name)}" '
                                         f'sheetId="{sheet_id}" {rid}="{sheet_rid}"/>')
            position = {old: new + (new >= sheet.index) for old, new in position.items()}
            rel_tags[sheet_rid] = (f'<Relationship Id="{sheet_rid}" Type="{_RELS}/worksheet" '
                                   f'Target="worksheets/sheet{number}.xml"/>')
        start, end = book.find(sheet_tags[0]), book.rfind(sheet_tags[-1]) + len(sheet_tags[-1])
        book = book[:start] + "".join(new_tags) + book[end:]
        # Links to other workbooks, the calculation chain (no formula is left) and dropped sheets.
        rel_tags = {k: t for k, t in rel_tags.items() if k not in dropped_ids and
                    _attrs(t).get("Type", "").rpartition("/")[2] not in ("externalLink", "calcChain")}
        book = re.sub(r"<((?:\w+:)?)externalReferences\b.*?</\1externalReferences>|<(?:\w+:)?externalReferences/>",
                      "", book, flags=re.S)
        book = re.sub(r"(<(?:\w+:)?workbookView\b[^>]*?)\s(?:activeTab|firstSheet)=\"\d+\"", r"\1", book)
        book = re.sub(r"(<(?:\w+:)?workbookView\b[^>]*?)\s(?:activeTab|firstSheet)=\"\d+\"", r"\1", book)

        def name(match: re.Match) -> str:
            attrs, text = _attrs(match.group(0).split(">", 1)[0]), match.group(3) or ""
            local = attrs.get("localSheetId")
            if (local is None and attrs.get("name") in drop_names) or _EXTERNAL_NAME.search(text) \
                    or (local is not None and int(local) not in position):
                return ""
            if local is None:
                return match.group(0)
            return re.sub(r'localSheetId="\d+"', f'localSheetId="{position[int(local)]}"', match.group(0), count=1)

        book = _NAME_TAG.sub(name, book)
        added = "".join(f'<definedName name="{_escape(k)}">{_escape(v)}</definedName>' for k, v in (names or {}).items())
        if added:
            if re.search(r"</(?:\w+:)?definedNames>", book):
                book = re.sub(r"(</(?:\w+:)?definedNames>)", lambda m: added + m.group(1), book, count=1)
            else:
                book = re.sub(r"(</(?:\w+:)?sheets>)", lambda m: m.group(1) + f"<definedNames>{added}</definedNames>",
                              book, count=1)
        book = re.sub(r"<((?:\w+:)?)definedNames>\s*</\1definedNames>", "", book)
        new_parts["xl/workbook.xml"] = book.encode("utf-8")
        rels_start = rels.find("<Relationship ")
        rels_end = rels.rfind("</")
        new_parts["xl/_rels/workbook.xml.rels"] = (rels[:rels_start] + "".join(rel_tags.values())
                                                   + rels[rels_end:]).encode("utf-8")
        styles = read("xl/styles.xml").decode("utf-8") if "xl/styles.xml" in original else None
        locked_style: dict[str, str] = {}
        if sheet is not None:
            styles, bold, wrap = _audit_styles(styles)
            new_parts[part] = _sheet_xml(sheet, bold, wrap)
        for name_, rel in rel_tags.items():  # every worksheet protected, the cells asked locked
            if name_ == (sheet_rid if sheet is not None else None):
                continue
            sheet_part = _target("xl/workbook.xml", _attrs(rel).get("Target", ""))
            if _attrs(rel).get("Type", "").rpartition("/")[2] != "worksheet" or sheet_part not in original:
                continue
            xml = read(sheet_part)
            if sheet_part in lock and styles is not None:
                xml, styles = _lock_cells(xml, lock[sheet_part], styles, locked_style)
            for column in (hide_columns or {}).get(sheet_part, ()):
                xml = _hide_column(xml, column)
            if drop_formats is not None:
                xml = _drop_formats(xml, drop_formats)
            new_parts[sheet_part] = _protect(xml)
        if styles is not None:
            new_parts["xl/styles.xml"] = styles.encode("utf-8")
        after = _reachable(lambda p: new_parts[p] if p in new_parts else read(p))
        gone = {p for p in before - after if p not in new_parts}
        gone |= {_rels_part(p) for p in gone}
        types = read("[Content_Types].xml").decode("utf-8")
        types = _OVERRIDE.sub(lambda m: "" if _attrs(m.group(0)).get("PartName", "").lstrip("/") in gone
                              else m.group(0), types)
        if sheet is not None:
            types = types.replace("</Types>", f'<Override PartName="/{part}" ContentType="{_WORKSHEET_TYPE}"/></Types>')
        new_parts["[Content_Types].xml"] = types.encode("utf-8")
        if "docProps/app.xml" in original:  # it lists the sheets and names: they changed
            new_parts["docProps/app.xml"] = (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.'
                b'openxmlformats.org/officeDocument/2006/extended-properties"><Application>Microsoft Excel'
                b"</Application></Properties>")
        shared = "xl/sharedStrings.xml"
        if shared in original and shared not in gone:
            used = set()
            for p in after:
                if p in new_parts or p in original:
                    data = new_parts.get(p) or read(p)
                    if p.startswith("xl/worksheets/") and p.endswith(".xml"):
                        used.update(int(i) for i in _SHARED_REF.findall(data))
            new_parts[shared] = _empty_unused(read(shared), used)
        names_out = [n for n in original if n not in gone] + [p for p in new_parts if p not in original]
        write_package(package, target, names_out, {**parts, **new_parts})


def _empty_unused(sst: bytes, used: set[int]) -> bytes:
    """The shared strings with every entry no cell uses emptied (the indices stay)."""
    index = -1

    def entry(match: re.Match) -> bytes:
        nonlocal index
        index += 1
        return match.group(0) if index in used else b"<si><t></t></si>"

    return _SI.sub(entry, sst)


def _audit_styles(styles: str | None) -> tuple[str, int, int]:
    """styles.xml with a bold font and two cell formats added: (styles, bold label, wrapped value)."""
    fonts = re.search(r"<fonts\b[^>]*>(.*?)</fonts>", styles, re.S)
    first = re.search(r"<font\b[^>]*/>|<font\b[^>]*>.*?</font>", fonts.group(1), re.S).group(0)
    bold_font = "<font><b/></font>" if first.endswith("/>") else re.sub(r"^<font\b[^>]*>", r"\g<0><b/>", first)
    font_count = len(re.findall(r"<font\b", fonts.group(1)))
    styles = styles[:fonts.end(1)] + bold_font + styles[fonts.end(1):]
    styles = re.sub(r'(<fonts\b[^>]*count=")\d+', lambda m: f"{m.group(1)}{font_count + 1}", styles, count=1)
    styles, bold = _add_xf(styles, f'<xf numFmtId="0" fontId="{font_count}" fillId="0" borderId="0" xfId="0" '
                                   'applyFont="1"/>')
    styles, wrap = _add_xf(styles, '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
                                   '<alignment vertical="top" wrapText="1"/></xf>')
    return styles, bold, wrap


def _cell_xfs(styles: str) -> re.Match:
    return re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S)


def _add_xf(styles: str, xf: str) -> tuple[str, int]:
    """styles.xml with `xf` appended to the cell formats, and its index."""
    block = _cell_xfs(styles)
    count = len(re.findall(r"<xf\b", block.group(1)))
    styles = styles[:block.end(1)] + xf + styles[block.end(1):]
    styles = re.sub(r'(<cellXfs\b[^>]*count=")\d+', lambda m: f"{m.group(1)}{count + 1}", styles, count=1)
    return styles, count


_CELL_TAG = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*>')
_STYLE = re.compile(rb'\ss="(\d+)"')


def _lock_cells(xml: bytes, refs: set[str], styles: str, locked: dict[str, str]) -> tuple[bytes, str]:
    """The cells `refs` of a sheet with locked formats (an unlocked format gets a locked twin)."""
    formats = re.findall(r"<xf\b[^>]*/>|<xf\b[^>]*>.*?</xf>", _cell_xfs(styles).group(1), re.S)

    wanted = {ref.encode() for ref in refs}

    def cell(match: re.Match) -> bytes:
        nonlocal styles
        if match.group(1) not in wanted:
            return match.group(0)
        tag = match.group(0)
        style = _STYLE.search(tag)
        index = style.group(1).decode() if style else "0"
        if int(index) >= len(formats) or not re.search(r'\slocked="(?:0|false)"', formats[int(index)]):
            return tag
        if index not in locked:
            twin = re.sub(r'\slocked="(?:0|false)"', ' locked="1"', formats[int(index)])
            styles, new = _add_xf(styles, twin)
            locked[index] = str(new)
        if style:
            return tag[:style.start()] + b' s="' + locked[index].encode() + b'"' + tag[style.end():]
        return tag[:-1].rstrip(b"/") + b' s="' + locked[index].encode() + (b'"/>' if tag.endswith(b"/>") else b'">')

    return _CELL_TAG.sub(cell, xml), styles


def _protect(xml: bytes) -> bytes:
    """A worksheet's XML with its protection on (what it already allows is kept)."""
    found = re.search(rb"<sheetProtection\b[^>]*?/?>", xml)
    if found:
        tag = re.sub(rb'\ssheet="[^"]*"', b"", found.group(0))
        tag = tag[:len(b"<sheetProtection")] + b' sheet="1"' + tag[len(b"<sheetProtection"):]
        return xml[:found.start()] + tag + xml[found.end():]
    end = re.search(rb"</sheetData>|<sheetData\s*/>", xml)
    if end is None:
        return xml
    after = re.match(rb"\s*<sheetCalcPr\b[^>]*/>", xml[end.end():])
    at = end.end() + (after.end() if after else 0)
    return xml[:at] + b'<sheetProtection sheet="1" objects="1" scenarios="1"/>' + xml[at:]


def _sheet_xml(sheet: NewSheet, bold: int, wrap: int) -> bytes:
    """A protected worksheet holding `sheet`'s rows."""
    rows = []
    for r, cells in enumerate(sheet.rows, start=1):
        out = []
        for c, (value, strong) in enumerate(cells, start=1):
            if value is None or value == "":
                continue
            ref, style = f"{column_letter(c)}{r}", bold if strong else wrap
            if isinstance(value, bool):
                out.append(f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (int, float)) and math.isfinite(value):
                out.append(f'<c r="{ref}" s="{style}"><v>{float(value)!r}</v></c>')
            else:
                out.append(f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
                           f'{_xml_text(str(value)).decode("utf-8")}</t></is></c>')
        if out:
            rows.append(f'<row r="{r}">{"".join(out)}</row>')
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(sheet.widths, 1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
            f'xmlns:r="{_RELS}"><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>{"".join(rows)}</sheetData>'
            '<sheetProtection sheet="1" objects="1" scenarios="1"/>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            "</worksheet>").encode()


_COL = re.compile(rb"<col\b[^>]*?/>")
_CONDITIONAL = re.compile(rb"<conditionalFormatting\b[^>]*>(.*?)</conditionalFormatting>", re.S)
_CF_RULE = re.compile(rb"<cfRule\b[^>]*?(?:/>|>.*?</cfRule>)", re.S)
_CF_FORMULA = re.compile(rb"<formula>(.*?)</formula>", re.S)


def _hide_column(xml: bytes, column: int) -> bytes:
    """A worksheet's XML with `column` hidden (its <col> range split around it if need be)."""
    def attrs(tag: bytes) -> dict[str, str]:
        return _attrs(tag.decode("utf-8"))

    for tag in _COL.findall(xml):
        a = attrs(tag)
        low, high = int(a.get("min", 0)), int(a.get("max", 0))
        if low <= column <= high:
            base = re.sub(rb'\s(?:min|max|hidden)="[^"]*"', b"", tag[:-2])

            def part(lo: int, hi: int, hidden: bool, base: bytes = base) -> bytes:
                return base + b' min="%d" max="%d"' % (lo, hi) + (b' hidden="1"' if hidden else b"") + b"/>"
            pieces = ([part(low, column - 1, False)] if low < column else []) + [part(column, column, True)] + \
                ([part(column + 1, high, False)] if column < high else [])
            return xml.replace(tag, b"".join(pieces), 1)
    col = b'<col min="%d" max="%d" hidden="1"/>' % (column, column)
    later = next((m for m in _COL.finditer(xml) if int(attrs(m.group(0)).get("min", 0)) > column), None)
    if later is not None:
        return xml[:later.start()] + col + xml[later.start():]
    if b"</cols>" in xml:
        return xml.replace(b"</cols>", col + b"</cols>", 1)
    at = re.search(rb"<sheetData\b", xml)
    return xml[:at.start()] + b"<cols>" + col + b"</cols>" + xml[at.start():] if at else xml


def _drop_formats(xml: bytes, unwanted: Callable[[str], object]) -> bytes:
    """A worksheet's XML without the conditional-format rules with a formula for which `unwanted`
    is true (a block left with no rule goes too)."""
    from xml.sax.saxutils import unescape

    def rule(match: re.Match) -> bytes:
        formulas = _CF_FORMULA.findall(match.group(0))
        return b"" if any(unwanted(unescape(f.decode("utf-8"))) for f in formulas) else match.group(0)

    def block(match: re.Match) -> bytes:
        rules = _CF_RULE.sub(rule, match.group(1))
        return b"" if not _CF_RULE.search(rules) else match.group(0).replace(match.group(1), rules, 1)

    return _CONDITIONAL.sub(block, xml)
