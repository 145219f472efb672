"""Output files that hold 身份证号: private (0600) and atomic.

Every file flowparty writes for the clerk (exports as xlsx or CSV, audit --xlsx, report annual --xlsx,
import --errors) is written to a hidden temporary in the same folder, created 0600, flushed and fsynced, then
renamed over the target with os.replace; the folder is fsynced after. A kill -9 mid-write leaves the earlier
file exactly as it was (and at worst a hidden `.<name>.<pid>.tmp`, removed by the next write of that name);
a failure (no folder, no permission, a full disk) leaves nothing behind and becomes one Chinese line: exit 2
for a path the user typed, exit 3 for a full disk.
"""

from __future__ import annotations

import functools
import io
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

PRIVATE = 0o600


def temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def alive(pid: int) -> bool:
    """Whether a process still runs (someone else's counts as running: its files are left alone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def clean_stale(path: Path) -> None:
    """Remove the temporaries a killed write of this file left beside it."""
    try:
        leftovers = list(path.parent.glob(f".{path.name}.*.tmp"))
    except OSError:
        return
    for part in leftovers:
        pid = part.name[:-len(".tmp")].rsplit(".", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and alive(int(pid)):
            continue
        try:
            part.unlink()
        except OSError:
            pass


class _Sink(io.RawIOBase):
    """The temporary file as a writer that goes quiet after its first failure: a library's half-finished zip
    (xlsxwriter, zipfile) then cannot fail again in a destructor ("Exception ignored in: ZipFile.__del__")."""

    def __init__(self, fd: int):
        self._file = os.fdopen(fd, "wb")
        self.failed: OSError | None = None

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def write(self, data) -> int:
        if self.failed is not None or self._file.closed:
            return len(data)
        try:
            return self._file.write(data)
        except OSError as error:
            self.failed = error
            raise

    def seek(self, offset: int, whence: int = 0) -> int:
        if self.failed is not None or self._file.closed:
            return 0
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        if self.failed is not None or self._file.closed:
            return 0
        return self._file.tell()

    def flush(self) -> None:
        if self.failed is not None or self._file.closed:
            return
        try:
            self._file.flush()
        except OSError as error:
            self.failed = error
            raise

    def truncate(self, size=None) -> int:
        return self._file.truncate(size)

    def finish(self) -> None:
        self.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def abandon(self) -> None:
        if self.failed is None:
            self.failed = OSError("abandoned")
        try:
            self._file.close()
        except OSError:
            pass

    def close(self) -> None:  # a library closing "its" file: the commit closes it for real
        pass


def _os_error_in(error: BaseException) -> OSError | None:
    """The OSError behind a library's own wrapper (xlsxwriter's FileCreateError holds it as its argument)."""
    seen = 0
    while error is not None and seen < 8:
        if isinstance(error, OSError):
            return error
        for arg in getattr(error, "args", ()):
            if isinstance(arg, OSError):
                return arg
        error = error.__cause__ or error.__context__
        seen += 1
    return None


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_binary(path: Path) -> Iterator[_Sink]:
    """A private binary file that appears at path, whole, only when the block ends without an error."""
    from flowparty import diagnose
    from flowparty.errors import BadInput
    from flowparty import labels as L

    path = Path(path)
    if path.is_dir():
        raise BadInput(L.DIAG_IS_FOLDER_OUT.format(path=path), L.DIAG_IS_FOLDER_HINT)
    part = temporary_name(path)
    try:
        if path.parent.is_dir():
            clean_stale(path)
        fd = os.open(part, os.O_CREAT | os.O_WRONLY | os.O_TRUNC | os.O_EXCL, PRIVATE)
    except FileExistsError:
        part.unlink(missing_ok=True)
        fd = os.open(part, os.O_CREAT | os.O_WRONLY | os.O_TRUNC | os.O_EXCL, PRIVATE)
    except OSError as error:
        raise diagnose.explain_os(error, path, user_path=True) from error
    sink = _Sink(fd)
    try:
        yield sink
        if sink.failed is not None:
            raise sink.failed
        sink.finish()
        os.replace(part, path)
        _fsync_folder(path.parent)
    except BaseException as error:
        sink.abandon()
        try:
            part.unlink(missing_ok=True)
        except OSError:
            pass
        cause = sink.failed if isinstance(sink.failed, OSError) and str(sink.failed) != "abandoned" \
            else _os_error_in(error)
        if cause is not None and not isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise diagnose.explain_os(cause, path, user_path=True) from error
        raise


@contextmanager
def atomic_text(path: Path, encoding: str = "utf-8", newline: str | None = None) -> Iterator[io.TextIOWrapper]:
    """A private text file (CSV) that appears at path, whole, only when the block ends without an error."""
    with atomic_binary(path) as sink:
        text = io.TextIOWrapper(io.BufferedWriter(sink), encoding=encoding, newline=newline)
        yield text
        text.flush()


def atomic_file(fn: Callable) -> Callable:
    """Decorate a writer whose first argument is the output path: it receives instead a private temporary file
    object (xlsxwriter accepts one), which becomes the file at that path only when the writer returns."""

    @functools.wraps(fn)
    def write(path, *args, **kwargs):
        with atomic_binary(Path(path)) as out:
            return fn(out, *args, **kwargs)

    return write


def make_folder(folder: Path) -> None:
    """A folder the user named for output (export --csv DIR), with its parents; a failure is one Chinese line."""
    from flowparty import diagnose

    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise diagnose.explain_os(error, folder, user_path=True) from error
