"""The status report in a real browser (Debian's ``chromium``, headless) with networking blocked:
the page renders, the chart's SVG is in the DOM, a screenshot is not blank and printing to PDF
gives pages. ``.ci/run`` installs chromium when it is missing."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from tests.test_status_report import demo, report, written  # noqa: F401  (module fixtures)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (.ci/run installs it with apt-get)"
)
OFFLINE = [
    "--headless",
    "--disable-gpu",
    "--no-sandbox",
    "--no-first-run",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--hide-scrollbars",
]


def chromium(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, *OFFLINE, f"--user-data-dir={home / 'profile'}", *args],
        capture_output=True,
        timeout=120,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
    )


def test_page_in_a_headless_browser(written, tmp_path):  # noqa: F811
    page = written["en"] / "demo-github--sprint-12.html"
    dom = chromium("--dump-dom", page.as_uri(), home=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = dom.stdout.decode()
    assert "<svg" in text and "pygal-chart" in text and "Sprint 12" in text
    assert "Total scope" in text and "Forecast P85" in text

    shot = tmp_path / "shot.png"
    chromium("--window-size=800,1000", f"--screenshot={shot}", page.as_uri(), home=tmp_path)
    colours = png_colours(shot.read_bytes())
    assert len(colours) > 20, "the screenshot is blank"

    pdf = tmp_path / "page.pdf"
    chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri(), home=tmp_path)
    pages = pdf.read_bytes().count(b"/Type /Page") - pdf.read_bytes().count(b"/Type /Pages")
    assert pages >= 1


def test_index_links_every_page(written, tmp_path):  # noqa: F811
    dom = chromium("--dump-dom", (written["zh"] / "index.html").as_uri(), home=tmp_path)
    text = dom.stdout.decode()
    for file in written["zh"].glob("*--*.html"):
        assert f'href="{file.name}"' in text
    assert "进度汇报" in text


def png_colours(data: bytes) -> set[bytes]:
    """The distinct pixel colours of an 8-bit RGB/RGBA PNG (what chromium writes), decoded
    with zlib: enough to tell a rendered page from a blank one."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour_type = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour_type in (2, 6)
    size = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * size
    colours, previous = set(), bytearray(stride)
    for row in range(min(height, 600)):  # the top of the page: title, verdict, numbers, chart
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        unfilter(kind, line, previous, size)
        for x in range(0, stride, size * 7):  # every 7th pixel: enough for variety
            colours.add(bytes(line[x : x + 3]))
        previous = line
    return colours


def unfilter(kind: int, line: bytearray, prev: bytearray, size: int) -> None:
    for i in range(len(line)):
        left = line[i - size] if i >= size else 0
        up, corner = prev[i], prev[i - size] if i >= size else 0
        if kind == 1:
            line[i] = (line[i] + left) & 255
        elif kind == 2:
            line[i] = (line[i] + up) & 255
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 255
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            line[i] = (line[i] + pred) & 255
