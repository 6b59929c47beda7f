"""Draws bench/sidebyside.sh's sweep: latency p50/p99 against offered load, framewire and the FastAPI peer.

usage: plot_sidebyside.py SIDEBYSIDE_TSV OUT_PNG P_STREAMS T_STREAMS
One worker each (framewire --workers 1, the peer gunicorn -w 1 with the forward pass inline): the
sweep rows plus the 1-worker rows of the processing (P_STREAMS) and transport (T_STREAMS) runs.
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

tsv, out = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(tsv), delimiter="\t"))


def points(case, sweep, system):
    # a load it answered nothing at (no latency to draw) is marked on the axis instead
    pts = [r for r in rows if r["system"] == system and r["workers"] == "1" and r["mode"] in ("-", "inline")
           and (r["case"] == sweep or r["case"] == case)]
    none = sorted(float(r["offered_fps"]) for r in pts if float(r["results_per_s"]) == 0)
    pts = [r for r in pts if float(r["results_per_s"]) > 0]
    pts.sort(key=lambda r: float(r["offered_fps"]))
    return ([float(r["offered_fps"]) for r in pts], [float(r["p50_ms"]) for r in pts],
            [float(r["p99_ms"]) for r in pts], [float(r["results_per_s"]) for r in pts], none)


fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
for ax, case, sweep, title in ((axes[0], "processing", "sweep-p", "YuNet on CPU, 1 worker (1 OpenCV thread)"),
                               (axes[1], "transport", "sweep-t", "transport, no inference, 1 worker")):
    for system, color, label in (("framewire", "tab:blue", "framewire"), ("peer", "tab:red", "FastAPI + Uvicorn peer")):
        x, p50, p99, rps, none = points(case, sweep, system)
        for xn in none:
            ax.axvline(xn, color=color, linestyle=":", alpha=0.6)
            ax.annotate(f"{label}:\nno result", (xn, 0.5), xycoords=("data", "axes fraction"), fontsize=7,
                        color=color, rotation=90, ha="right")
        if not x:
            continue
        ax.plot(x, p99, "o-", color=color, label=f"{label} p99")
        ax.plot(x, p50, "s--", color=color, alpha=0.7, label=f"{label} p50")
        for xi, yi, r in zip(x, p99, rps):
            ax.annotate(f"{r:.0f}/s", (xi, yi), textcoords="offset points", xytext=(0, 6), ha="center",
                        fontsize=7, color=color)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("offered load, frames/s (15 FPS per stream)")
    ax.set_ylabel("latency, send to result (ms)")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
loads = [float(r["loadavg"]) for r in rows]
fig.suptitle("framewire vs the FastAPI design, same load generator, one run (labels: results/s answered)\n"
             f"{os.cpu_count()} cores, load average {min(loads):.0f}-{max(loads):.0f} at the runs' starts", fontsize=10)
fig.tight_layout()
fig.savefig(out, dpi=110)
