#!/usr/bin/env python3
"""End-to-end tests of `eqc train --report` and `eqc report` (report/).

usage: report_e2e.py EQC SOURCE_DIR WORK_DIR SCENARIO
  html      the page is well-formed HTML, its chart points are the log's
            numbers, `eqc report LOG` draws the same points, the confusion
            matrix covers the validation split, the graph is Graphviz's SVG
            (or, without dot on PATH, a note), a text model has a sample
  chromium  headless Chromium renders the page; the plot areas of the PNG
            have curves in them (exit 77, a skip, without chromium)
Only the standard library: the PNG is decoded with zlib.
"""
import html.parser
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib

EQC, SRC, WORK, SCENARIO = sys.argv[1:5]
SKIP = 77


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def run(*args, env=None):
    p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    if p.returncode != 0:
        fail(" ".join(args) + " exited %d: %s" % (p.returncode, p.stderr))
    return p.stdout


class Page(html.parser.HTMLParser):
    """Checks that every element is closed in order, and collects each
    chart: its title, x label, series polylines and point tooltips."""
    VOID = {"meta", "br", "img", "hr", "input", "link"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.charts, self.text_of = [], [], None
        self.cells, self.samples, self.in_cm = [], [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in self.VOID:
            self.stack.append((tag, self.getpos()))
        if tag == "svg" and a.get("class") == "chart":
            self.charts.append({"texts": [], "lines": {}, "points": []})
        chart = self.charts[-1] if self.charts and self.inside("svg") else None
        if chart is not None and tag == "polyline":
            chart["lines"][a["data-name"]] = a["points"].split()
        if tag in ("text", "title", "td", "pre"):
            self.text_of = (tag, a, [])
        if tag == "table" and a.get("class") == "cm":
            self.in_cm = True

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_data(self, data):
        if self.text_of:
            self.text_of[2].append(data)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            fail("</%s> at %s closes %s" % (tag, self.getpos(), self.stack[-1] if self.stack else "nothing"))
        self.stack.pop()
        if self.text_of and self.text_of[0] == tag:
            kind, a, parts = self.text_of
            text = "".join(parts)
            self.text_of = None
            chart = self.charts[-1] if self.charts and self.inside("svg") else None
            if chart is not None and kind == "text":
                chart["texts"].append(text)
            elif chart is not None and kind == "title":
                chart["points"].append(text)
            elif kind == "td" and self.in_cm:
                self.cells.append(int(text))
            elif kind == "pre" and a.get("class") == "sample":
                self.samples.append(text)
        if tag == "table":
            self.in_cm = False

    def inside(self, tag):
        return any(t == tag for t, _ in self.stack)


def parse(path):
    p = Page()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    p.close()
    if p.stack:
        fail("%s: unclosed %s" % (path, p.stack))
    return p


def chart(page, title, x_label):
    for c in page.charts:
        if c["texts"] and c["texts"][0] == title and x_label in c["texts"]:
            return c
    fail("no chart '%s' against %s" % (title, x_label))


def points(c, series):
    """The (x, y) texts of a series' tooltips: "NAME at X: Y"."""
    out = []
    for t in c["points"]:
        m = re.fullmatch(re.escape(series) + r" at (\S+): (\S+)", t)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def read_log(path):
    with open(path) as f:
        lines = f.read().split("\n")
    header = lines[0].split(",")
    return [dict(zip(header, l.split(","))) for l in lines[1:] if l]


def check_html():
    os.chdir(WORK)
    run(EQC, "train", "logreg.eq", "--epochs", "5", "--log", "log.csv", "--report", "run.html",
        "-o", "w.safetensors", "--quiet")
    page = parse("run.html")
    log = read_log("log.csv")
    if len(log) != 5:
        fail("log rows: %d" % len(log))
    # Against steps: each epoch's numbers exactly as the log has them.
    for title, series, column in [("Loss", "training loss", "loss"), ("Loss", "validation loss", "val_loss"),
                                  ("Accuracy", "training accuracy", "accuracy"),
                                  ("Accuracy", "validation accuracy", "val_accuracy"),
                                  ("Learning rate", "learning rate", "lr")]:
        got = points(chart(page, title, "step"), series)
        want = [(r["step"], r[column]) for r in log]
        if got != want:
            fail("%s against steps: %s, the log has %s" % (series, got, want))
        line = chart(page, title, "step")["lines"][series]
        if len(line) != len(log):
            fail("%s: the line has %d points for %d epochs" % (series, len(line), len(log)))
    # Against seconds: x is the training time up to the epoch's end.
    got = points(chart(page, "Loss", "seconds of training"), "validation loss")
    total = 0.0
    for (x, y), r in zip(got, log):
        total += float(r["seconds"])
        if abs(float(x) - total) > 1e-4 * max(total, 1e-3) or y != r["val_loss"]:
            fail("validation loss against seconds: (%s, %s), the log says (%g, %s)" % (x, y, total, r["val_loss"]))
    if len(got) != len(log):
        fail("validation loss against seconds: %d points" % len(got))
    # Every step's loss: 120 examples / batch 16 = 8 steps an epoch.
    steps = chart(page, "Loss", "step")["lines"]["training, per step"]
    if len(steps) != 40:
        fail("per-step loss: %d points, expected 40" % len(steps))
    # The confusion matrix covers the 30 held-out rows of 150.
    if len(page.cells) != 9 or sum(page.cells) != 30:
        fail("confusion matrix cells %s" % page.cells)
    right = page.cells[0] + page.cells[4] + page.cells[8]
    if "%.6g" % (right / 30) != "%.6g" % float(log[-1]["val_accuracy"]):
        fail("confusion diagonal %d of 30 vs val_accuracy %s" % (right, log[-1]["val_accuracy"]))
    text = open("run.html", encoding="utf-8").read()
    for must in ["ŷ = softmax(W·x + b)", "<h2>Time per kernel</h2>", "Finished after epoch 5"]:
        if must not in text:
            fail("the page lacks %r" % must)
    if "http://" in text.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
            'xmlns:xlink="http://www.w3.org/1999/xlink"', "") or "<script" in text:
        fail("the page links out or has a script")
    if shutil.which("dot"):
        if 'class="graph"' not in text or "<g id=\"graph0\"" not in text:
            fail("dot is installed but the page has no Graphviz picture")
    else:
        print("note: dot not installed; the Graphviz picture is not checked")
    # Without dot on PATH: a note instead of the picture.
    env = dict(os.environ, PATH="/nonexistent")
    run(EQC, "train", "logreg.eq", "--epochs", "1", "--report", "nodot.html", "-o", "w1.safetensors",
        "--quiet", env=env)
    if "Graphviz&#39;s dot was not found" not in open("nodot.html", encoding="utf-8").read():
        fail("without dot the page has no note")
    parse("nodot.html")

    # eqc report: the same curves from the log.
    run(EQC, "report", "log.csv", "-o", "fromlog.html")
    again = parse("fromlog.html")
    for title, series in [("Loss", "training loss"), ("Loss", "validation loss"),
                          ("Accuracy", "validation accuracy"), ("Learning rate", "learning rate")]:
        a, b = points(chart(page, title, "step"), series), points(chart(again, title, "step"), series)
        if a != b:
            fail("eqc report draws %s %s, the training report %s" % (series, b, a))

    # A text model: a sample after its one epoch, 240 symbols of the text.
    run(EQC, "train", "rnn.eq", "-D", "H=8", "--steps", "6", "--report", "rnn.html", "-o", "rnn.safetensors",
        "--quiet")
    rnn = parse("rnn.html")
    if len(rnn.samples) != 1 or len(rnn.samples[0]) != 240:
        fail("rnn samples: %r" % rnn.samples)
    print("ok")


# ---- the PNG Chromium writes: 8-bit RGB or RGBA, not interlaced ----------------

def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("not a PNG: " + path)
    at, idat, width = 8, b"", 0
    while at < len(data):
        n, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + n]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or color not in (2, 6) or interlace:
                fail("PNG kind: depth %d color %d interlace %d" % (depth, color, interlace))
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        at += 12 + n
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return rows


PLOT_BG = (247, 248, 251)  # the plot area's fill (report/plot.cc)
GRID = (225, 228, 234)


def check_chromium():
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        print("SKIP: chromium is not installed (scripts/install-deps.sh installs it)")
        sys.exit(SKIP)
    os.chdir(WORK)
    run(EQC, "train", "logreg.eq", "--epochs", "10", "--report", "run.html", "-o", "w.safetensors", "--quiet")
    args = [browser, "--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--screenshot=" + os.path.join(WORK, "shot.png"), "--window-size=1000,800",
            "file://" + os.path.join(WORK, "run.html")]
    if os.geteuid() == 0:
        args.insert(1, "--no-sandbox")
    p = subprocess.run(args, capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, HOME=WORK))
    if p.returncode != 0 or not os.path.exists("shot.png"):
        fail("chromium exited %d: %s" % (p.returncode, p.stderr[-2000:]))
    rows = read_png("shot.png")
    # The plot areas: rows with a long stretch of the plot's background.
    plot_rows = [y for y, r in enumerate(rows) if sum(px == PLOT_BG for px in r) > 150]
    if len(plot_rows) < 100:
        fail("no plot area in the screenshot (%d rows of its colour)" % len(plot_rows))
    # The first plot: rows from the first, over the one-pixel grid lines.
    top = plot_rows[0]
    bottom, marked = top, set(plot_rows)
    while any(bottom + k in marked for k in (1, 2, 3)):
        bottom += 1
    # Its columns: the first run of background pixels in a row near its top,
    # allowing gaps where a curve or a grid line crosses.
    cols = [x for x, px in enumerate(rows[top + 2]) if px == PLOT_BG]
    left = right = cols[0]
    for x in cols[1:]:
        if x - right > 30:
            break
        right = x
    ink_rows = 0
    for y in range(top + 2, bottom - 1):
        if any(px not in (PLOT_BG, GRID) for px in rows[y][left + 2:right - 1]):
            ink_rows += 1
    height = bottom - 1 - (top + 2)
    # A loss curve spans its y range, so nearly every pixel row of the plot
    # has some of it; a blank or broken chart has none.
    if height < 100 or ink_rows < 0.8 * height:
        fail("plot rows %d..%d, columns %d..%d: only %d of %d rows have a curve" %
             (top, bottom, left, right, ink_rows, height))
    blue = sum(1 for y in range(top, bottom) for px in rows[y][left:right]
               if abs(px[0] - 31) < 40 and abs(px[1] - 119) < 40 and abs(px[2] - 180) < 40)
    if blue < 50:
        fail("the training loss curve (blue) is not visible: %d pixels" % blue)
    print("ok: plot rows %d..%d, %d of %d with ink, %d blue pixels" % (top, bottom, ink_rows, height, blue))


if __name__ == "__main__":
    os.makedirs(WORK, exist_ok=True)
    shutil.rmtree(WORK)
    os.makedirs(os.path.join(WORK, "data"))
    for m in ["logreg.eq", "rnn.eq"]:
        shutil.copy(os.path.join(SRC, "models", m), WORK)
    for d in ["iris.csv", "tinyshakespeare.txt"]:
        shutil.copy(os.path.join(SRC, "models", "data", d), os.path.join(WORK, "data"))
    {"html": check_html, "chromium": check_chromium}[SCENARIO]()
