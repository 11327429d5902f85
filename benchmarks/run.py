"""Benchmark: the figures of issue 17, each printed beside its target with PASS or MISS.

    make bench            # or: CMR_CORPUS=../shared/corpus .venv/bin/python benchmarks/run.py

Supplier workbooks are made from the three real filled 6.4 declarations under CMR_CORPUS
(wwww13wwww-*-cmrt-6.4.xlsx), each made distinct in content inside the zip's XML: its own
company name (Declaration!D8, an inline string) and its own subset of the smelter rows
(some rows of the Smelter List dropped at random). They are kept in benchmarks/.work/
(git-ignored), never committed.

Figures: `read` of 200 workbooks against the floor (python-calamine reading the same two sheets,
Declaration and Smelter List, in one process); `build --no-site` cold on 300 workbooks with
every core against the one-core floor over the same files; the rebuild after one workbook
changes as a share of the cold build (300 and 1,000), in `watch` (from the moment the new file is
moved into place to watch's line saying it has built again) and, beside it, as a new `build
--no-site` process; ms per workbook at 100, 300 and 1,000; the peak memory of the build's process
tree (and of watch's) at 1,000. Each cold build runs as `python -m generator build --no-site` in
its own process, in a fresh copy of the example with an empty cache.

The machine's speed moves from minute to minute (a shared host), so each time is the best of its
runs, as on a quiet machine: the floor and `read` of 200 of two; the cold builds of three (`--runs`),
and the floor over the 300 files as often, each right before their build; after each cold build,
three rebuilds by new processes and then three in watch (each after a change to a content no build
has seen, each in watch a second after the last, as after any pause); the peak memory is the
largest of every run. The sizes take turns, run by run, so that a drift of the machine's speed
moves them alike.
"""
from __future__ import annotations

import argparse
import compileall
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work"
POOL = WORK / "pool-6.4"
BASES = ("wwww13wwww-centralglass-cmrt-6.4.xlsx", "wwww13wwww-honeywell-cmrt-6.4.xlsx",
         "wwww13wwww-jxadvancedmetals-cmrt-6.4.xlsx")
SHEETS = ("Declaration", "Smelter List")
ROSTER = 50
REBUILDS = 3  # after each cold build, each after a change to a content never built before
_D8 = re.compile(rb'<c r="D8"[^>]*?(?:/>|>.*?</c>)', re.DOTALL)
_ROW = re.compile(rb'<row r="(\d+)"[^>]*>.*?</row>', re.DOTALL)


@dataclass(frozen=True)
class Target:
    """One figure and its target: PASS when `value` is at most `limit`."""

    name: str
    value: float
    limit: float
    unit: str

    def line(self) -> str:
        verdict = "PASS" if self.value <= self.limit else "MISS"
        return f"  {self.name:<58} {self.value:>9.3f}{self.unit:<3} target <= {self.limit:g}{self.unit:<3} {verdict}"


# --- the workbooks ---------------------------------------------------------------------------

def _parts(path: Path) -> tuple[list[tuple[zipfile.ZipInfo, bytes]], str, str]:
    """Every part of a workbook, and the part names of its Declaration and Smelter List."""
    with zipfile.ZipFile(path) as zf:
        parts = [(info, zf.read(info)) for info in zf.infolist()]
    content = {i.filename: d for i, d in parts}
    rels = dict(re.findall(rb'Id="(rId\d+)"[^>]*Target="([^"]+)"', content["xl/_rels/workbook.xml.rels"]))
    rels.update({k: v for v, k in re.findall(rb'Target="([^"]+)"[^>]*Id="(rId\d+)"',
                                              content["xl/_rels/workbook.xml.rels"])})
    sheets = dict(re.findall(rb'<sheet name="([^"]+)"[^>]*r:id="(rId\d+)"', content["xl/workbook.xml"]))
    decl, smelters = ("xl/" + rels[sheets[name.encode()]].decode() for name in SHEETS)
    return parts, decl, smelters


def make_workbook(index: int, base: tuple, out: Path) -> None:
    """Workbook `index`: the base's parts with its own company name and its own subset of smelter rows."""
    parts, decl, smelters = base
    rng = random.Random(index)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            if info.filename == decl:
                name = f"Benchmark Supplier {index}".encode()
                data = _D8.sub(b'<c r="D8" t="inlineStr"><is><t>' + name + b"</t></is></c>", data, count=1)
            elif info.filename == smelters:
                data = _ROW.sub(lambda m: b"" if int(m.group(1)) >= 5 and rng.random() < 0.2 else m.group(0), data)
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    tmp.replace(out)


def pool(n: int, corpus: Path) -> list[Path]:
    """The first n distinct workbooks, made once and kept in benchmarks/.work/."""
    POOL.mkdir(parents=True, exist_ok=True)
    paths = [POOL / f"supplier-{i:04d}.xlsx" for i in range(n)]
    todo = [i for i, p in enumerate(paths) if not p.exists()]
    if todo:
        print(f"  making {len(todo)} workbooks in {POOL} ...", flush=True)
        bases = [_parts(corpus / name) for name in BASES]
        for i in todo:
            make_workbook(i, bases[i % len(bases)], paths[i])
    return paths


def project(files: list[Path], corpus: Path) -> Path:
    """A copy of the example reading `files` (hard links), with the roster and a reference list."""
    root = Path(tempfile.mkdtemp(prefix="cmr-bench-", dir=WORK))
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(ROOT / "docs" / "assets", root / "docs" / "assets")
    folder = root / "data" / "cmrt"
    folder.mkdir()
    for path in files:
        os.link(path, folder / path.name)
    shutil.copy(corpus / "rmi-blank-cmrt-6.5.xlsx", root / "data" / "lookup.xlsx")
    roster = "name\n" + "".join(f"Benchmark Supplier {s}\n" for s in range(ROSTER))
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


# --- measuring -------------------------------------------------------------------------------

def floor(files: list[Path]) -> float:
    """Seconds python-calamine takes, in this one process, to read the two sheets of every file."""
    import python_calamine
    start = time.perf_counter()
    for path in files:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        for sheet in SHEETS:
            book.get_sheet_by_name(sheet).to_python()
    return time.perf_counter() - start


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            pass
    return total


def run(args: list[str], cwd: Path) -> tuple[float, float]:
    """Seconds and peak resident MB (the whole process tree, sampled) of one generator command;
    its CPU seconds (every process of it) are added to CPU_SECONDS, to show how busy the machine was."""
    used = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env={**os.environ, "CI": "1"})
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    CPU_SECONDS.append(_children_cpu() - used)
    if proc.returncode != 0:
        sys.exit(f"`generator {' '.join(args[:3])} ...` failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    return seconds, peak[0] / 1024 ** 2


CPU_SECONDS: list[float] = []


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Build:
    n: int
    cold: float
    rebuild: float
    watched: float
    peak_mb: float
    cold_cpu: float


def build(files: list[Path], corpus: Path, changes: list[Path], watched: list[Path]) -> Build:
    """One cold `build --no-site` (in a fresh project), then the best of the rebuilds after one workbook
    changes (to each of `changes` in turn, contents no build has seen), each a new `build --no-site`;
    then the best of those `watch` makes after each of `watched`; the peak memory of them all."""
    root = project(files, corpus)
    try:
        cold, peak = run(["build", "--no-site", "--root", str(root)], ROOT)
        cold_cpu, rebuilds, peaks = CPU_SECONDS[-1], [], [peak]
        target = root / "data" / "cmrt" / files[len(files) // 2].name
        for change in changes:
            target.unlink()
            shutil.copy(change, target)  # new content, a new inode
            rebuild, peak = run(["build", "--no-site", "--root", str(root)], ROOT)
            rebuilds.append(rebuild)
            peaks.append(peak)
        watch_times, peak = watch(root, target, watched)
        peaks.append(peak)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return Build(len(files), cold, min(rebuilds), min(watch_times), max(peaks), cold_cpu)


def watch(root: Path, target: Path, changes: list[Path]) -> tuple[list[float], float]:
    """Seconds from each change (a new file moved over `target`) to `watch`'s line saying it has built
    it again (the review records changed), and the peak resident MB of its process tree."""
    proc = subprocess.Popen([sys.executable, "-m", "generator", "watch", "--root", str(root)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, "CI": "1"},
                            text=True)
    assert proc.stdout is not None
    stuck = threading.Timer(300, proc.kill)  # a build that never comes ends the benchmark, not hangs it
    stuck.start()
    peak, times = 0, []

    def built() -> str:
        line = proc.stdout.readline()
        while line and " built in " not in line:
            if "not built" in line:
                sys.exit(f"`generator watch` could not build {root}: {line.strip()}")
            line = proc.stdout.readline()
        if not line:
            sys.exit(f"`generator watch` on {root} ended ({proc.wait()}) before it built")
        return line

    try:
        built()  # the first build, from the cache
        for change in changes:
            time.sleep(1)  # a reader worker is forked and warm again, as after any pause
            peak = max(peak, _tree_rss(proc.pid))
            moved = root / f"{target.name}.new"  # outside data/: copying it wakes nothing
            shutil.copy(change, moved)
            start = time.perf_counter()
            os.replace(moved, target)  # all at once, as a save does
            line = built()
            times.append(time.perf_counter() - start)
            if "review/" not in line:
                sys.exit(f"`generator watch` built {root} without the change: {line.strip()}")
            peak = max(peak, _tree_rss(proc.pid))
    finally:
        stuck.cancel()
        proc.send_signal(signal.SIGINT)  # as Ctrl+C: it stops its reader worker too
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return times, peak / 1024 ** 2


def best(runs: list[Build]) -> Build:
    """The best cold build and the best rebuilds of a size's runs; the largest peak."""
    cold = min(runs, key=lambda b: b.cold)
    return Build(cold.n, cold.cold, min(b.rebuild for b in runs), min(b.watched for b in runs),
                 max(b.peak_mb for b in runs), cold.cold_cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,300,1000", help="build sizes (default: 100,300,1000)")
    parser.add_argument("--read", type=int, default=200, help="workbooks read by `read` (default: 200)")
    parser.add_argument("--runs", type=int, default=3, help="cold builds of each size, the best counted (default: 3)")
    args = parser.parse_args()
    corpus = Path(os.environ.get("CMR_CORPUS", ROOT.parent / "shared" / "corpus"))
    if not all((corpus / name).exists() for name in (*BASES, "rmi-blank-cmrt-6.5.xlsx")):
        print(f"the benchmark needs the 6.4 declarations and the 6.5 blank in CMR_CORPUS ({corpus})", file=sys.stderr)
        return 2
    sizes = [int(n) for n in args.sizes.split(",")]
    # Each command runs as a new process: measure it with its modules compiled, as Python leaves them
    # after a first run (where PYTHONDONTWRITEBYTECODE is set, every process would compile them again).
    compileall.compile_dir(ROOT / "generator", quiet=1)
    files = pool(max([*sizes, args.read]) + 2 * REBUILDS, corpus)
    changes, watched = files[-2 * REBUILDS:-REBUILDS], files[-REBUILDS:]  # distinct from every file of any set
    print(f"cores: {os.cpu_count()}; load before: {os.getloadavg()[0]:.2f}; corpus: {corpus}", flush=True)

    reads = files[: args.read]
    floor(reads[:10])  # warm the page cache and the import
    read_floor = min(floor(reads) for _ in range(2))
    read_s = min(run(["read", "--json", *map(str, reads)], ROOT)[0] for _ in range(2))
    print(f"read {len(reads)}: floor {read_floor:.2f} s, ours {read_s:.2f} s "
          f"(CPU {min(CPU_SECONDS[-2:]):.2f} s, all processes)", flush=True)

    # The sizes take turns (each run builds every size once), so that a machine slowing down or speeding
    # up over the minutes of the benchmark moves every size alike, not the last ones only.
    # The floor of the cold build of 300 is measured in each run too, right before that build.
    runs: dict[int, list[Build]] = {n: [] for n in sizes}
    floors: list[float] = []
    for i in range(args.runs):
        for n in sizes:
            if n == 300:
                floors.append(floor(files[:300]))
            runs[n].append(build(files[:n], corpus, changes, watched))
            b = runs[n][-1]
            print(f"build {n} (run {i + 1} of {args.runs}): cold {b.cold:.2f} s (CPU {b.cold_cpu:.2f} s, all "
                  f"processes), rebuild {b.rebuild:.2f} s, in watch {b.watched:.2f} s, peak {b.peak_mb:.0f} MB", flush=True)
    builds = {n: best(found) for n, found in runs.items()}
    for n, b in builds.items():
        print(f"build {n}, best: cold {b.cold:.2f} s, rebuild {b.rebuild:.2f} s, in watch {b.watched:.2f} s, "
              f"peak {b.peak_mb:.0f} MB")
    build_floor = min(floors) if floors else None
    if build_floor is not None:
        print(f"floor over the 300 of the build: {build_floor:.2f} s", flush=True)

    print(f"\nload after: {os.getloadavg()[0]:.2f}")
    targets = [Target(f"read of {len(reads)} / calamine floor (one process)", read_s / read_floor, 1.3, "x")]
    if build_floor is not None:
        targets.append(Target(f"build --no-site cold, 300, {os.cpu_count()} cores / one-core floor",
                              builds[300].cold / build_floor, 0.7, "x"))
    for n, b in builds.items():
        if n in (300, 1000):
            targets.append(Target(f"rebuild after one change / cold build, {n} (watch)", b.watched / b.cold * 100, 2, "%"))
            # Beside it, no target: a new process spends about 0.2 s starting and importing before any work.
            print(f"  rebuild after one change by a new `build --no-site` process, {n:>5}: {b.rebuild:.2f} s, "
                  f"{b.rebuild / b.cold * 100:.2f}% of the cold build")
    per = {n: 1000 * b.cold / n for n, b in builds.items()}
    for n, ms in per.items():
        print(f"  ms per workbook (cold build), {n:>5}: {ms:7.1f} ms")
    if len(per) > 1:
        targets.append(Target("ms per workbook, largest / smallest over the sizes (flat)",
                              max(per.values()) / min(per.values()), 1.25, "x"))
    if 1000 in builds:
        targets.append(Target("peak memory, build of 1,000 (process tree)", builds[1000].peak_mb, 500, "MB"))
    for target in targets:
        print(target.line())
    return 0 if all(t.value <= t.limit for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
