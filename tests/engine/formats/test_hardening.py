"""Issue 15, the readers: none can hang, exhaust memory or raise anything but a sentence.

Every call runs under a bound the harness enforces (tests/engine/bounded.py: a thread join, or a subprocess
timeout). The reproducers: a header with two million trailing commas (the trimming was quadratic: hours); a FIFO,
a device or a socket given as a table, a metric or a scenario (``open`` blocked forever); a scenario holding an
integer of 5,000 digits (an internal error).
"""

from __future__ import annotations

import os
import socket

import pytest
from bounded import within

import engine
from engine.errors import ProblemError
from engine.formats.tables import read_metric_csv, read_mu_csv
from engine.formats.text import read_path, read_text


def test_a_header_with_two_million_trailing_commas_reads_at_once(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("x,a" + "," * 2_000_000 + "\n1,1\n")
    positions, labels, mu = within(10, read_mu_csv, path)
    assert (positions, labels, mu.tolist()) == ([1.0], ["a"], [[1.0]])


def test_trailing_empty_cells_of_every_row_are_dropped_in_linear_time(tmp_path):
    rows = "".join(f"{i},0.25{',' * 20_000}\n" for i in range(1, 5))
    path = tmp_path / "wide.csv"
    path.write_text("x,a" + "," * 20_000 + "\n" + rows)
    _, _, mu = within(10, read_mu_csv, path)
    assert mu.shape == (4, 1)


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "f.csv"
    os.mkfifo(path)
    return path


@pytest.fixture
def unix_socket(tmp_path):
    path = tmp_path / "s.csv"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    yield path
    server.close()


@pytest.mark.parametrize("reader", [read_mu_csv, read_metric_csv, lambda p: read_text(p, "config", "JSON"),
                                    lambda p: read_path(p, "scenario")])
def test_a_fifo_is_refused_before_it_is_opened(fifo, reader):
    with pytest.raises(ProblemError, match=r"is a named pipe \(FIFO\), not a .* file; give the path of a regular"):
        within(5, reader, fifo)


def test_a_socket_and_a_device_are_refused(unix_socket):
    with pytest.raises(ProblemError, match="is a socket, not a mu file"):
        within(5, read_mu_csv, unix_socket)
    for device in ("/dev/zero", "/dev/null"):
        with pytest.raises(ProblemError, match="is a device, not a mu file"):
            within(5, read_mu_csv, device)


def test_problem_from_csv_and_a_metric_file_refuse_a_fifo(fifo, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("x,a,b\n1,0.5,0\n2,0,0.5\n")
    with pytest.raises(ProblemError, match="named pipe"):
        within(5, engine.Problem.from_csv, fifo)
    with pytest.raises(ProblemError, match="named pipe"):
        within(5, engine.Problem.from_csv, table, metric=str(fifo))


def test_a_scenario_with_a_5000_digit_integer_gets_a_sentence():
    text = '{"mu": [[' + "9" * 5000 + "]]}"
    with pytest.raises(ProblemError, match=r"^The scenario file holds an integer of more than 4,300 digits"):
        within(5, engine.problem_from_json, text)


def test_a_scenario_nested_100000_deep_gets_a_sentence():
    with pytest.raises(ProblemError, match="nested too deeply"):
        within(10, engine.problem_from_json, "[" * 100_000 + "]" * 100_000)
