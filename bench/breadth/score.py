#!/usr/bin/env python3
"""Scores scanners' JSON reports against the breadth corpus's manifest.

    bench/breadth/score.py --work DIR --report TOOL=REPORT.json [--report ...]
                           [--time TOOL=SECONDS ...] [--list-misses TOOL] [--list-fps TOOL]
                           [--formats]

DIR holds manifest.jsonl and corpus/ (as generate.py writes them). TOOL is vigil, gitleaks
or betterleaks (their JSON report formats). A positive item counts as found when the tool
reports a finding in the item's file whose line range overlaps the lines of the item's
secret, or whose reported secret contains the item's secret. Any finding in a negative
item's file makes that item a false positive. Prints per family and in total: items,
recall and false positives of each tool side by side, then false positives by kind and
recall by context class (and with --formats, recall per format).
"""
import argparse
import json
import os
import sys
from collections import defaultdict


def load_findings(tool: str, path: str):
    """Returns [(path, first_line, last_line, secret, rule)] from a tool's JSON report."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text) if text.strip() else []
    out = []
    if tool == "vigil":
        if not isinstance(doc, dict) or doc.get("version") != 1:
            raise SystemExit(f"{path}: not a vigil JSON report (no \"version\": 1)")
        for f in doc.get("findings") or []:
            out.append((f["path"], f["line"], f.get("end_line") or f["line"], f.get("secret") or "",
                        f.get("rule", "")))
    elif tool == "gitleaks":
        for f in doc or []:
            out.append((f["File"], f["StartLine"], f.get("EndLine") or f["StartLine"],
                        f.get("Secret") or f.get("Match") or "", f.get("RuleID", "")))
    elif tool == "betterleaks":
        found = doc.get("findings") if isinstance(doc, dict) else doc
        for f in found or []:
            loc, m = f.get("location") or {}, f.get("match") or {}
            out.append((loc.get("path", ""), loc.get("start_line", 0),
                        loc.get("end_line") or loc.get("start_line", 0),
                        m.get("value") or m.get("full") or "", f.get("rule_id", "")))
    else:
        raise SystemExit(f"unknown tool {tool} (vigil, gitleaks or betterleaks)")
    return out


def table(head, rows, total=False, end="\n"):
    """Prints rows under head: the first column left-aligned, the others right-aligned;
    with total, the last row is set apart as a total."""
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]

    def line(r):
        return "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                         for i, c in enumerate(r))
    rule = "-" * len(line(head))
    print(line(head))
    if total:
        print(rule)
    for r in rows[:-1] if total else rows:
        print(line(r))
    if total:
        print(rule)
        print(line(rows[-1]))
    print(end=end)


def short(s: str, n: int = 48) -> str:
    s = s.replace("\n", "\\n")
    return s if len(s) <= n else s[:n] + "..."


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", required=True)
    ap.add_argument("--report", action="append", default=[], metavar="TOOL=PATH")
    ap.add_argument("--time", action="append", default=[], metavar="TOOL=SECONDS")
    ap.add_argument("--list-misses", action="append", default=[], metavar="TOOL")
    ap.add_argument("--list-fps", action="append", default=[], metavar="TOOL")
    ap.add_argument("--formats", action="store_true", help="also print recall per format")
    args = ap.parse_args()

    corpus = os.path.realpath(os.path.join(args.work, "corpus"))
    items = []
    with open(os.path.join(args.work, "manifest.jsonl"), encoding="utf-8") as f:
        for line in f:
            items.append(json.loads(line))
    by_path = {it["path"]: it for it in items}

    tools, hits, unmapped = [], {}, {}
    for spec in args.report:
        tool, _, path = spec.partition("=")
        tools.append(tool)
        hit, stray = defaultdict(list), 0
        for fpath, a, b, secret, rule in load_findings(tool, path):
            rel = os.path.relpath(os.path.realpath(fpath), corpus)
            if rel in by_path:
                hit[rel].append((a, b, secret, rule))
            else:
                stray += 1
        hits[tool], unmapped[tool] = hit, stray
    times = dict(t.split("=", 1) for t in args.time)
    for t in args.list_misses + args.list_fps:
        if t not in hits:
            raise SystemExit(f"--list-misses/--list-fps {t}: no report for {t}")

    def matching_rules(tool, it):
        lo, hi = it["lines"]
        return [rule for a, b, secret, rule in hits[tool].get(it["path"], [])
                if (a <= hi and b >= lo) or (secret and it["secret"] and it["secret"] in secret)]

    def found(tool, it):
        return bool(matching_rules(tool, it))

    def generic_only(tool, it):
        rules = matching_rules(tool, it)
        return bool(rules) and all(r.startswith("generic") for r in rules)

    pos_all = [it for it in items if it["positive"]]
    neg_all = [it for it in items if not it["positive"]]

    def n_found(tool, sel):
        return sum(1 for it in sel if found(tool, it))

    def n_fp(tool, sel):
        return sum(1 for it in sel if not it["positive"] and hits[tool].get(it["path"]))

    def pct(k, n):
        return f"{100.0 * k / n:5.1f}%" if n else "    -"

    fams = sorted({it["family"] for it in items})
    rows = []
    for fam in fams + ["total"]:
        sel = [it for it in items if fam in ("total", it["family"])]
        pos = [it for it in sel if it["positive"]]
        row = [fam, str(len({it["format"] for it in pos})), str(len(pos)), str(len(sel) - len(pos))]
        for tool in tools:
            k = n_found(tool, pos)
            row += [f"{pct(k, len(pos))} {k:>3}", str(n_fp(tool, sel))]
        rows.append(row)
    table(["family", "formats", "pos", "neg"] + [c for t in tools for c in (f"{t} recall", "FP")],
          rows, total=True)

    kinds = sorted({it["kind"] for it in neg_all})
    table(["negatives by kind", "items"] + [f"{t} FP" for t in tools],
          [[kind, str(len(sel))] + [str(n_fp(t, sel)) for t in tools]
           for kind in kinds for sel in [[it for it in neg_all if it["kind"] == kind]]])

    classes = [("named", "named: a telling variable or key name beside the value"),
               ("bare", "bare: no telling name (only a rule for the format can find it)"),
               ("split", "split: the name on one line, the value on the next"),
               ("encoded", "encoded: base64 in a Kubernetes Secret's data")]
    rows = []
    for cls, _ in classes:
        sel = [it for it in pos_all if it.get("class", "named") == cls]
        if sel:
            rows.append([cls, str(len(sel))] + [pct(n_found(t, sel), len(sel)) for t in tools])
    table(["positives by context", "items"] + [f"{t} recall" for t in tools], rows, end="")
    for _, text in classes:
        print(f"  {text}")
    print()

    if args.formats:
        rows = []
        for fmt in sorted({it["format"] for it in pos_all}):
            sel = [it for it in pos_all if it["format"] == fmt]
            rows.append([fmt, sel[0]["family"], str(len(sel))]
                        + [f"{n_found(t, sel)}/{len(sel)}" for t in tools])
        table(["format", "family", "items"] + tools, rows)

    for tool in tools:
        k, fp = n_found(tool, pos_all), n_fp(tool, neg_all)
        fp_strict = n_fp(tool, [it for it in neg_all if it["kind"] != "public-by-design"])
        fmts = defaultdict(list)
        for it in pos_all:
            fmts[it["format"]].append(found(tool, it))
        full = sum(1 for v in fmts.values() if all(v))
        none = sum(1 for v in fmts.values() if not any(v))
        t = f"; {float(times[tool]):.2f} s" if tool in times else ""
        stray = f"; {unmapped[tool]} findings outside the corpus items" if unmapped[tool] else ""
        gen = sum(1 for it in pos_all if generic_only(tool, it))
        near = sum(1 for it in pos_all if hits[tool].get(it["path"]) and not found(tool, it))
        near = f"; {near} more positives have a finding elsewhere in the file" if near else ""
        print(f"{tool}: recall {k}/{len(pos_all)} ({100.0 * k / len(pos_all):.1f}%; {gen} of them "
              f"only by a generic-* rule), false positives {fp} ({fp_strict} without "
              f"public-by-design); formats found in every context {full}/{len(fmts)}, in none "
              f"{none}{near}{t}{stray}")
    if "vigil" in tools:
        v_rec, v_fp = n_found("vigil", pos_all), n_fp("vigil", neg_all)
        for t in tools:
            if t != "vigil":
                p_rec, p_fp = n_found(t, pos_all), n_fp(t, neg_all)
                print(f"vigil vs {t}: recall {'ahead' if v_rec > p_rec else 'NOT ahead'} "
                      f"({v_rec} vs {p_rec}), false positives "
                      f"{'fewer' if v_fp < p_fp else 'NOT fewer'} ({v_fp} vs {p_fp})")

    lists = [(t, "missed", [it for it in pos_all if not found(t, it)], "format")
             for t in args.list_misses]
    lists += [(t, "false positives", [it for it in neg_all if hits[t].get(it["path"])], "kind")
              for t in args.list_fps]
    for tool, what, sel, col in lists:
        print(f"\n{tool} {what}:")
        for it in sel:
            print(f"  {it['family']:<13} {it[col]:<28} {it['context']:<18} "
                  f"{short(it['secret'])}  ({it['path']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
