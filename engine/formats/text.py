"""Reading text safely: a path, bytes or a stream in, decoded text out, within a size limit, or a sentence.

Text is UTF-8 (a byte-order mark is dropped) or UTF-16 with a byte-order mark. The limit, :data:`MAX_BYTES`
(5 MB), is checked before anything is parsed. Every bad input raises :class:`ProblemError` with one sentence.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat

from engine.errors import ProblemError

MAX_BYTES = 5_000_000
NOT_TEXT = "The file is not text (it contains binary bytes); save it as {} (UTF-8)."
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def read_text(source, what: str, fmt: str = "CSV") -> str:
    """The decoded text of a path, bytes or stream, after the size limit; ``fmt`` names the format."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return decode(within_limit(bytes(source)), fmt)
    if hasattr(source, "read"):
        try:
            data = source.read(MAX_BYTES + 1)
        except UnicodeDecodeError:
            raise ProblemError(f"The file is not UTF-8 text; save it as {fmt} (UTF-8).") from None
        if isinstance(data, str):
            return check_text(within_limit(data).lstrip("\ufeff"), fmt)
        return decode(within_limit(bytes(data)), fmt)
    if isinstance(source, (str, os.PathLike)):
        return decode(within_limit(read_path(source, what)), fmt)
    raise ProblemError(f"Cannot read a {what} file from {type(source).__name__}; give a path, bytes or a stream.")


def read_path(source, what: str) -> bytes:
    """The bytes of a regular file, refusing anything else and files over MAX_BYTES before reading them.

    A FIFO, a device or a socket would block ``open`` or ``read`` forever (or never end): the path is checked with
    ``os.stat`` before it is opened, then opened non-blocking and checked again on the open descriptor (the name
    may have been swapped in between), so no reader of the engine can hang on one."""
    path = os.fspath(source)
    shown = short(str(path))
    try:
        _check_regular(os.stat(path).st_mode, shown, what)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with open(fd, "rb", closefd=True) as f:
            info = os.fstat(f.fileno())
            _check_regular(info.st_mode, shown, what)
            check_size(info.st_size)
            return f.read(MAX_BYTES + 1)
    except ProblemError:
        raise
    except FileNotFoundError:
        hint = " (the metric must be abs, squared, hamming or the path of a CSV file)" if what == "metric" else ""
        raise ProblemError(f"There is no {what} file at {shown}{hint}.") from None
    except IsADirectoryError:
        raise ProblemError(f"{shown} is a folder, not a {what} file.") from None
    except PermissionError:
        raise ProblemError(f"The {what} file {shown} cannot be read (permission denied).") from None
    except (OSError, ValueError) as e:
        raise ProblemError(f"The {what} file {shown} cannot be read ({getattr(e, 'strerror', None) or e}).") from None


def _check_regular(mode: int, shown: str, what: str) -> None:
    """Refuse a folder, FIFO, device or socket: only a regular file is read."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise ProblemError(f"{shown} is a folder, not a {what} file.")
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    raise ProblemError(f"{shown} is {kind}, not a {what} file; give the path of a regular file.")


def check_output(path, what: str, inputs=()) -> None:
    """Refuse an output path that would block, fail or destroy an input, before any work is done.

    An existing name must be a regular file (a FIFO would block the write forever; a folder cannot be written), it
    must not be one of ``inputs`` (the same file under any name: a link, a relative path), and its folder must exist.
    """
    shown = short(str(path))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as e:
        raise ProblemError(f"Cannot write the {what} {shown} ({e.strerror or e}).") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = ("a folder" if stat.S_ISDIR(info.st_mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(info.st_mode)
                else "not a regular file")
        raise ProblemError(f"Cannot write the {what} {shown}: it is {kind}; give the name of a file.")
    if info is not None:
        for source in inputs:
            if isinstance(source, (str, os.PathLike)) and _same_file(source, info):
                raise ProblemError(f"Cannot write the {what} {shown}: it is an input of this command "
                                   f"({short(str(source))}); give another file name.")
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    if not os.path.isdir(folder):
        raise ProblemError(f"Cannot write the {what} {shown}: there is no folder {short(folder)}.")


def _same_file(source, info: os.stat_result) -> bool:
    try:
        other = os.stat(source)
    except OSError:
        return False
    return (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino)


def write_text(path, text: str, what: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: a temporary file beside it, fsync, ``os.replace``; a failure
    leaves any earlier file whole and is one sentence ("Cannot write ..."), never "cannot read"."""
    path = os.fspath(path)
    temp = os.path.join(os.path.dirname(os.path.abspath(path)), f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(temp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise ProblemError(f"Cannot write the {what} {short(str(path))} ({e.strerror or e}).") from None


def check_size(size: int) -> None:
    """Refuse more than MAX_BYTES bytes (or characters)."""
    if size > MAX_BYTES:
        raise ProblemError(f"The file is larger than the limit of {MAX_BYTES / 1e6:g} MB; use a smaller table.")


def within_limit(data):
    """Bytes or text of at most MAX_BYTES (bytes or characters)."""
    check_size(len(data))
    return data


def decode(data: bytes, fmt: str) -> str:
    """UTF-8 (optional byte-order mark) or UTF-16 with a byte-order mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return check_text(data.decode("utf-16"), fmt)
        except UnicodeDecodeError:
            raise ProblemError(NOT_TEXT.format(fmt)) from None
    if b"\0" in data:
        raise ProblemError(NOT_TEXT.format(fmt))
    try:
        return check_text(data.decode("utf-8-sig"), fmt)
    except UnicodeDecodeError as e:
        raise ProblemError(
            f"The file is not UTF-8 text (byte {e.start + 1} is 0x{data[e.start]:02x}); save it as {fmt} (UTF-8)."
        ) from None


def check_text(text: str, fmt: str) -> str:
    """Refuse control characters, the mark of a binary file."""
    if _CONTROL.search(text):
        raise ProblemError(NOT_TEXT.format(fmt))
    return text




def short(value: str, limit: int = 40) -> str:
    """repr of a value, cut to a readable length."""
    return repr(value if len(value) <= limit else value[:limit] + "…")
