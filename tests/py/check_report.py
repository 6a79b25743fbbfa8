#!/usr/bin/env python3
"""check_report.py REPORT.html RESULT.json [options] - report.html against its result set.

Python standard library only. Fails (exit 1, one line per problem) unless:
  - every element with data-json names a number of RESULT.json (RFC 6901 pointer; with
    data-json-minus, the difference of two), data-value is that number exactly, and the text
    is it rounded to the decimals shown (as printf's %.Nf, a leading + kept), or a dash for null;
  - the numbers a reader needs are all on the page: every analysis's power and type I error
    (estimate, MCSE, interval) and every joint share (run), every point's (sweep, size);
  - the page is self-contained: no <script>, <link>, <iframe>, <object>, <embed>, <img>, no
    attribute or style that refers to http:, https: or //, no @import, url() only to #ids;
  - ids are unique (several inline SVGs), and every #reference points at one of them;
  - the record's command line is one unbroken span (white-space: nowrap) per shell word of its
    text, which reads back (shlex) as a trialsim command with --report.
Options:
  --scenario FILE   the record holds FILE's SHA-256
  --text TEXT       the page's text (as a browser shows it) contains TEXT, and its source does
                    not contain TEXT unescaped
  --plot NAME       the plot NAME is inline (<figure id="plot-NAME"> holding an <svg>)
  --no-plot NAME    the plot NAME is missing and the page names NAME.dat and NAME.gp
"""
import hashlib
import html
import html.parser
import json
import re
import shlex
import sys

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def check_command_line(source, problems):
    """The record's command line: a <pre> of nowrap spans, one per shell word, pasteable."""
    m = re.search(r"<th>command line</th><td><pre>(.*?)</pre>", source, re.S)
    if not m:
        problems.append("the record has no command line")
        return
    inner = m.group(1)
    spans = re.findall(r'<span class="nw">(.*?)</span>', inner, re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", inner))
    try:
        words = shlex.split(text)
    except ValueError as e:
        problems.append(f"the command line {text!r} does not read back: {e}")
        return
    if [shlex.split(html.unescape(s)) for s in spans] != [[w] for w in words]:
        problems.append(f"the command line's spans {spans!r} are not its words {words!r}")
    if not words or not words[0].endswith("trialsim") or "--report" not in words:
        problems.append(f"the command line {words!r} is not a trialsim command with --report")


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells = []        # (attrs, text) of elements with data-json
        self.open = []         # stack of [tag, attrs, text parts or None]
        self.tags = []         # every start tag with its attributes
        self.text = []         # all text, as shown
        self.styles = []       # <style> contents
        self.in_style = False
        self.figures = {}      # figure id -> whether an <svg> is inside

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "style":
            self.in_style = True
        if tag == "svg":
            for t, ta, _ in self.open:
                if t == "figure" and ta.get("id"):
                    self.figures[ta["id"]] = True
        if tag == "figure" and a.get("id"):
            self.figures.setdefault(a["id"], False)
        if tag in VOID:
            return
        self.open.append([tag, a, [] if "data-json" in a else None])

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False
        while self.open:
            t, a, parts = self.open.pop()
            if parts is not None:
                self.cells.append((a, "".join(parts)))
            if t == tag:
                break

    def handle_data(self, data):
        if self.in_style:
            self.styles.append(data)
            return
        self.text.append(data)
        for _, _, parts in self.open:
            if parts is not None:
                parts.append(data)


def resolve(doc, ptr):
    v = doc
    for tok in ptr.split("/")[1:]:
        tok = tok.replace("~1", "/").replace("~0", "~")
        if isinstance(v, list):
            if not tok.isdigit() or int(tok) >= len(v):
                raise KeyError(ptr)
            v = v[int(tok)]
        elif isinstance(v, dict):
            if tok not in v:
                raise KeyError(ptr)
            v = v[tok]
        else:
            raise KeyError(ptr)
    return v


def check_cells(page, doc, problems):
    seen = set()
    for a, text in page.cells:
        ptr = a["data-json"]
        text = text.strip()
        try:
            value = resolve(doc, ptr)
            if "data-json-minus" in a:
                other = resolve(doc, a["data-json-minus"])
                value = None if value is None or other is None else value - other
        except KeyError as e:
            problems.append(f"{ptr}: not in the result set ({e})")
            continue
        seen.add(ptr)
        dv = a.get("data-value")
        if value is None:
            if dv != "null" or text != "\u2013":
                problems.append(f"{ptr}: null in the JSON, page shows {text!r} ({dv})")
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{ptr}: not a number in the JSON: {value!r}")
            continue
        if dv is None or float(dv) != float(value):
            problems.append(f"{ptr}: data-value {dv} but the JSON has {value!r}")
        m = re.fullmatch(r"[+-]?\d+(?:\.(\d+))?", text)
        if not m:
            problems.append(f"{ptr}: the cell's text {text!r} is not a number")
            continue
        d = len(m.group(1) or "")
        want = format(float(value), ("+" if text.startswith("+") else "") + f".{d}f")
        if text != want:
            problems.append(f"{ptr}: shows {text}, the JSON's {value!r} to {d} decimals is {want}")
    return seen


def estimate_ptrs(base):
    return [f"{base}/estimate", f"{base}/ci95/0", f"{base}/ci95/1"]


def required(doc):
    """Pointers whose numbers the page must show."""
    need = []
    if "parameters" not in doc and "target_power" not in doc:  # a run
        for k, _ in enumerate(doc["analyses"]):
            for q in ("power", "type1_error"):
                need += estimate_ptrs(f"/analyses/{k}/{q}") + [f"/analyses/{k}/{q}/mcse"]
            need += estimate_ptrs(f"/analyses/{k}/null/reject_favouring")
            need += [f"/analyses/{k}/alternative/mean_n", f"/analyses/{k}/alternative/difference/mean"]
        for p, pair in enumerate(doc.get("joint", [])):
            for h in ("alternative", "null"):
                for c in ("both", "only_first", "only_second", "neither"):
                    need.append(f"/joint/{p}/{h}/{c}/estimate")
        for q, proc in enumerate(doc.get("multiplicity", [])):
            for i, member in enumerate(proc["analyses"]):
                need += estimate_ptrs(f"/multiplicity/{q}/analyses/{i}/power")
                for key in ("power_favouring", "type1_error_favouring", "type1_error_favouring_control"):
                    if key in member:  # by direction, where the result set has it
                        need.append(f"/multiplicity/{q}/analyses/{i}/{key}/estimate")
            for w in ("all_significant", "any_significant"):
                for key in ("alternative_favouring", "null_favouring", "null_favouring_control"):
                    if key in proc.get(w, {}):
                        need.append(f"/multiplicity/{q}/{w}/{key}/estimate")
    elif "parameters" in doc:  # a sweep
        for k, pt in enumerate(doc["points"]):
            for c, _ in enumerate(pt["analyses"]):
                need += estimate_ptrs(f"/points/{k}/analyses/{c}/power")
                need += estimate_ptrs(f"/points/{k}/analyses/{c}/type1_error")
    else:  # a sample-size search: one analysis, or several under "analyses"
        for k, pt in enumerate(doc["points"]):
            need.append(f"/points/{k}/sample_size")
            subs = [f"/analyses/{c}" for c, _ in enumerate(pt.get("analyses", []))] or [""]
            if isinstance(pt.get("all_significant"), dict):
                subs.append("/all_significant")
            for sub in subs:
                need += estimate_ptrs(f"/points/{k}{sub}/power")
                need += estimate_ptrs(f"/points/{k}{sub}/type1_error")
        if doc.get("reached"):
            need.append("/sample_size")
    return need + ["/seed", "/trials"]


def check_self_contained(page, problems):
    for tag, a in page.tags:
        if tag in ("script", "link", "iframe", "object", "embed", "img", "base", "frame"):
            problems.append(f"<{tag}> in the page: it must stand alone")
        for k, v in a.items():
            if k.startswith("on"):
                problems.append(f"<{tag} {k}=...>: an event handler is a script")
            if v and re.search(r"(?i)(https?:|^\s*//|javascript:)", v):
                problems.append(f"<{tag} {k}={v!r}>: refers outside the page")
            if v and k == "style" and re.search(r"url\(\s*['\"]?[^#'\" )]", v):
                problems.append(f"<{tag} style={v!r}>: url() outside the page")
    css = "".join(page.styles)
    if "@import" in css or re.search(r"url\(\s*['\"]?[^#'\" )]", css):
        problems.append("the stylesheet refers outside the page (@import or url())")


def check_ids(page, source, problems):
    ids = [a["id"] for _, a in page.tags if "id" in a]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        problems.append(f"ids defined more than once: {dup[:10]}")
    known = set(ids)
    refs = set()
    for _, a in page.tags:
        for k, v in a.items():
            if k in ("href", "xlink:href") and v and v.startswith("#") and len(v) > 1:
                refs.add(v[1:])
            for m in re.finditer(r"url\(\s*#([^) ]+)\)", v or ""):
                refs.add(m.group(1))
    missing = sorted(refs - known)
    if missing:
        problems.append(f"#references to no id on the page: {missing[:10]}")


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    source = open(argv[1], encoding="utf-8").read()
    doc = json.load(open(argv[2], encoding="utf-8"))
    page = Page()
    page.feed(source)
    page.close()
    problems = []
    seen = check_cells(page, doc, problems)
    for ptr in required(doc):
        if ptr not in seen:
            problems.append(f"{ptr}: in the result set but not on the page")
    check_self_contained(page, problems)
    check_ids(page, source, problems)
    check_command_line(source, problems)
    shown = "".join(page.text)
    i = 3
    while i < len(argv):
        opt, val = argv[i], argv[i + 1]
        i += 2
        if opt == "--scenario":
            digest = hashlib.sha256(open(val, "rb").read()).hexdigest()
            if digest not in shown:
                problems.append(f"the record lacks {val}'s SHA-256 {digest}")
        elif opt == "--text":
            if val not in shown:
                problems.append(f"the page's text lacks {val!r}")
            if ("<" in val or "&" in val) and val in source:
                problems.append(f"{val!r} is in the page unescaped")
        elif opt == "--plot":
            if not page.figures.get(f"plot-{val}"):
                problems.append(f"plot {val}: no inline <svg> in <figure id=\"plot-{val}\">")
        elif opt == "--no-plot":
            if f"{val}.dat" not in shown or f"{val}.gp" not in shown or page.figures.get(f"plot-{val}"):
                problems.append(f"plot {val}: missing, but the page does not say so with {val}.dat and {val}.gp")
        else:
            problems.append(f"unknown option {opt}")
    for p in problems[:40]:
        print(f"{argv[1]}: {p}")
    if len(problems) > 40:
        print(f"... and {len(problems) - 40} more")
    print(f"{argv[1]}: {len(page.cells)} numbers checked against {argv[2]}, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
