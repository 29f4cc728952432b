"""ui.state's pure pieces: how a link writes values and reads them back, and the QR code of a link."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from ui.qr import qr_png
from ui.state import SHARED, _flag, _option, _whole, as_text, eps_grid

KINDS = {"default": "as the example says", "max": "max (every point moves <= eps)"}


@pytest.mark.parametrize(("value", "text"), [(0.5, "0.5"), (1.0, "1"), (0.1 + 0.2, "0.3"), (21, "21"),
                                             (True, "1"), (False, "0"), ("max", "max"), ([0.1, 1.3], "0.1,1.3"),
                                             ([], ""), (1e-5, "1e-05")])
def test_values_are_written_as_values(value, text):
    assert as_text(value) == text


def test_a_link_names_an_option_by_its_value_or_by_the_text_older_links_carry():
    assert _option("max", KINDS) == "max"
    assert _option("max (every point moves <= eps)", KINDS) == "max"  # written by bind="query-params" before
    assert _option("min", KINDS) is None
    assert _option("1e-3", {1e-3: "1e-03", 1e-5: "1e-05"}) == 1e-3  # numbers match as numbers
    assert _option("10000", {1000: "1000", 10000: "10000"}) == 10000


def test_flags_and_whole_numbers():
    assert _flag("1") is True and _flag("TRUE") is True and _flag("0") is False and _flag("maybe") is None
    assert _whole("2.7") == 2 and _whole("2e1") == 20
    with pytest.raises(ValueError):
        _whole("inf")


def test_every_grid_value_reads_back_from_its_text():
    for lo, hi in ((0.0, 2.0), (0.0, 0.5), (0.0, 1.5), (0.0, 3.0), (0.0, 0.37)):
        grid = eps_grid(lo, hi)
        assert all(float(as_text(e)) == e for e in grid)


def test_eps_and_the_example_travel_between_pages():
    assert "eps" in SHARED and "preset" in SHARED and "units" in SHARED


@pytest.mark.parametrize("link", ["http://127.0.0.1:8501/worst-case?source=preset&preset=figure2&eps=0.5",
                                  "https://lab.example.org/tradeoff?preset=label-noise&eps=1.5&units=bits&step=2"])
def test_the_qr_code_decodes_to_the_link(link):
    """Decoded by zxing-cpp (an independent reader), not by segno that wrote it."""
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(link))))
    assert found.text == link and found.format == zxingcpp.BarcodeFormat.QRCode
