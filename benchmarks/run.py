"""Benchmark: reading, consolidating and publishing supplier CMRTs at a large filer's scale.

    make bench            # or: CMR_CORPUS=../shared/corpus .venv/bin/python benchmarks/run.py

Generates supplier workbooks in the real 6.x layouts from the blank templates under
CMR_CORPUS, filled with openpyxl as a supplier does (50 to 300 smelter rows, every
declaration question answered), plus some 2.x and 3.x files; then times each stage
separately and prints workbooks per second, peak memory and the ratio of our read
time to a floor (python-calamine reading only the same sheets of the same files).
Generated files are kept in benchmarks/.work/ (git-ignored) to make reruns fast.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
import python_calamine  # noqa: E402

from generator import pipeline  # noqa: E402
from generator.problems import Problems  # noqa: E402
from generator.supply import cmrt  # noqa: E402
from generator.supply import folder as workbooks  # noqa: E402

WORK = ROOT / "benchmarks" / ".work"
TEMPLATES = ["rmi-blank-cmrt-6.01.xlsx", "rmi-blank-cmrt-6.1.xlsx", "rmi-blank-cmrt-6.22.xlsx",
             "rmi-blank-cmrt-6.31.xlsx", "rmi-blank-cmrt-6.5.xlsx"]
OLDER = ["ddm-gsp-cmrt-2.03a.xlsx", "ddm-gsp-cmrt-3.01.xlsx", "ddm-gsp-cmrt-2.00.xls", "broadcom-cmrt-2.03a.xls"]
ANSWERS = ["Yes", "Yes", "No", "No", "No", "Greater than 90%", "Yes", "Yes"]


def fill(template: Path, out: Path, rows: int, seed: int) -> None:
    """Fill a blank 6.x template as a supplier does: company block, eight questions, smelter rows."""
    rng = random.Random(seed)
    wb = openpyxl.load_workbook(template)
    decl, smelters, lookup = wb["Declaration"], wb["Smelter List"], wb["Smelter Look-up"]
    decl["D3"] = "English"
    for address, value in {"D8": f"Benchmark Supplier {seed}", "D9": "A. Company", "D12": f"DUNS {seed:09d}",
                           "D13": "DUNS", "D14": "1 Industrial Way, Springfield", "D15": "Pat Doe",
                           "D16": "pat@example.com", "D17": "+1 555 0100", "D18": "Sam Roe", "D19": "Director",
                           "D20": "sam@example.com", "D22": "2025-03-31"}.items():
        decl[address] = value
    for q, answer in enumerate(ANSWERS):
        for m in range(4):
            decl[f"D{26 + 6 * q + m}"] = answer
    for letter in range(8):
        decl[f"D{75 + 2 * letter}"] = "Yes"
    reference = [(r[0].value, r[2].value, r[3].value, r[4].value)
                 for r in lookup.iter_rows(min_row=5, max_col=5) if r[0].value and r[4].value]
    for i, (metal, name, country, cid) in enumerate(rng.sample(reference, min(rows, len(reference)))):
        row = 5 + i
        smelters[f"A{row}"] = cid
        smelters[f"B{row}"] = metal
        smelters[f"C{row}"] = name
        smelters[f"D{row}"] = name
        smelters[f"E{row}"] = country
        smelters[f"F{row}"] = cid
        smelters[f"G{row}"] = "RMI"
    wb.save(out)


def unique_copy(source: Path, target: Path, index: int) -> None:
    """The same workbook with a different byte content (its core properties), so hashes differ."""
    if source.suffix == ".xls":
        shutil.copy(source, target)
        return
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = data.replace(b"</cp:coreProperties>",
                                    f"<dc:description>copy {index}</dc:description></cp:coreProperties>".encode())
            zout.writestr(item, data)


def base_files(corpus: Path) -> list[Path]:
    base = WORK / "base"
    base.mkdir(parents=True, exist_ok=True)
    files = []
    for i, name in enumerate(TEMPLATES):
        for variant, rows in enumerate((50, 300)):
            out = base / f"{Path(name).stem}-{rows}.xlsx"
            if not out.exists():
                print(f"  filling {out.name} ...", flush=True)
                fill(corpus / name, out, rows + 37 * i, seed=10 * i + variant)
            files.append(out)
    return files


def supplier_set(n: int, bases: list[Path], corpus: Path) -> Path:
    """n workbooks: nine in ten 6.x, the rest 2.x and 3.x; cached on disk."""
    folder = WORK / f"set-{n}"
    if folder.exists() and len(list(folder.iterdir())) == n:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for i in range(n):
        source = corpus / OLDER[i % len(OLDER)] if i % 10 == 9 else bases[i % len(bases)]
        unique_copy(source, folder / f"supplier-{i:04d}{source.suffix}", i)
    return folder


def project(folder: Path, corpus: Path) -> Path:
    """A copy of the example with the supplier set and a reference list from a 6.5 template."""
    root = Path(tempfile.mkdtemp(prefix="cmr-bench-"))
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "docs" / "assets", root / "docs" / "assets")
    (root / "data" / "cmrt").symlink_to(folder)
    shutil.copy(corpus / "rmi-blank-cmrt-6.5.xlsx", root / "data" / "lookup.xlsx")
    roster = "name\n" + "".join(f"Benchmark Supplier {s}\n" for s in range(50))
    (root / "data" / "suppliers.csv").write_text(roster, encoding="utf-8")
    report = (root / "data" / "report.yml").read_text(encoding="utf-8")
    report = report.replace("  suppliers:\n    value: 60\n    qualifier: over\n", "")
    report = report.replace("  response_rate_percent:\n    value: 75\n    qualifier: about\n", "")
    (root / "data" / "report.yml").write_text(report, encoding="utf-8")
    (root / "data" / "supply-chain.yml").write_text(
        "roster: suppliers.csv\nreference_lists:\n  - file: lookup.xlsx\n    title: RMI Smelter Look-up (CMRT 6.5)\n"
        "    as_of: 2025-04-25\nconformance:\n  file: lookup.xlsx\n  title: RMI list\n  as_of: 2025-04-25\n",
        encoding="utf-8")
    return root


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def floor_and_ours(files: list[Path]) -> tuple[float, float]:
    """Single-process seconds for the same .xlsx files: the floor (python-calamine reading only the
    Declaration and Smelter List sheets), then our reader (cells, checks and records)."""
    floor_s, _ = timed(lambda: [_floor_one(p) for p in files])
    ours_s, _ = timed(lambda: [cmrt.read_workbook(p) for p in files])
    return floor_s, ours_s


def _floor_one(path: Path) -> None:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    for sheet in ("Declaration", "Smelter List"):
        book.get_sheet_by_name(sheet).to_python()


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def run_size(n: int, bases, corpus) -> dict:
    """Measure one supplier set in a fresh process, so its peak memory is its own."""
    supplier_set(n, bases, corpus)
    out = subprocess.run([sys.executable, __file__, "--measure", str(n)], check=True, stdout=subprocess.PIPE,
                         text=True, env={**os.environ, "CMR_CORPUS": str(corpus)}).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure(n: int, corpus: Path) -> dict:
    folder = WORK / f"set-{n}"
    root = project(folder, corpus)
    try:
        read_s, decls = timed(lambda: workbooks.read_declarations(root / "data" / "cmrt", Problems(), root))
        model_s, (model, _) = timed(lambda: pipeline.load_model(root))
        render_s, _ = timed(lambda: pipeline.render_pages(model))
        changed = sorted((root / "data" / "cmrt").iterdir())[0]
        unique_copy(changed, WORK / "changed.xlsx", 10**6 + n)
        shutil.copy(WORK / "changed.xlsx", changed)
        rebuild_s, _ = timed(lambda: pipeline.load_model(root))
        return {"n": n, "read": read_s, "consolidate": model_s, "render": render_s, "rebuild": rebuild_s,
                "facilities": len(model.facilities), "rows": sum(len(d.smelters) for d in decls),
                "rss_mb": peak_rss_mb()}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,300,1000", help="supplier set sizes (default: 100,300,1000)")
    parser.add_argument("--floor-sample", type=int, default=60, help="workbooks in the floor comparison")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)  # internal: one set, in its own process
    args = parser.parse_args()
    corpus = Path(os.environ.get("CMR_CORPUS", ROOT.parent / "shared" / "corpus"))
    if args.measure:
        print(json.dumps(measure(args.measure, corpus)))
        return 0
    if not (corpus / TEMPLATES[-1]).exists():
        print(f"benchmark needs the blank templates in CMR_CORPUS ({corpus}): not found", file=sys.stderr)
        return 2
    print(f"cores: {os.cpu_count()}; corpus: {corpus}")
    bases = base_files(corpus)
    results = [run_size(int(n), bases, corpus) for n in args.sizes.split(",")]
    print()
    print("read: cold, all cores; consol.: the whole model with the cache warm (lists, matching, figures); "
          "rebuild: the model after one workbook changed")
    print(f"{'workbooks':>9} {'rows':>7} {'read s':>7} {'wb/s':>6} {'ms/wb':>6} {'consol. s':>9} "
          f"{'render s':>8} {'read+consol. s':>14} {'e2e wb/s':>8} {'rebuild s':>9} {'peak MB':>7}")
    for r in results:
        total = r["read"] + r["consolidate"]
        print(f"{r['n']:>9} {r['rows']:>7} {r['read']:>7.1f} {r['n'] / r['read']:>6.1f} "
              f"{1000 * r['read'] / r['n']:>6.1f} {r['consolidate']:>9.2f} {r['render']:>8.2f} "
              f"{total:>14.1f} {r['n'] / total:>8.1f} {r['rebuild']:>9.2f} {r['rss_mb']:>7.0f}")
    sample = sorted(supplier_set(max(int(n) for n in args.sizes.split(",")), bases, corpus).iterdir())
    sample = [p for p in sample if p.suffix == ".xlsx"][: args.floor_sample]
    floor_and_ours(sample[:5])  # warm the file cache and imports for both
    floor_s, ours_s = floor_and_ours(sample)
    print(f"\nfloor (python-calamine, same sheets, {len(sample)} .xlsx, one process): {floor_s:.2f} s; "
          f"ours: {ours_s:.2f} s; ratio {ours_s / floor_s:.2f}x")
    site_s, _ = timed(lambda: subprocess.run([sys.executable, "-m", "generator", "build", "--site-dir",
                                              str(WORK / "site")], cwd=ROOT, check=True,
                                             stdout=subprocess.DEVNULL))
    print(f"example site, full build (pages + MkDocs): {site_s:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
