#!/usr/bin/env bash
# Validates the Prometheus config, rules, rule unit tests and Grafana dashboard.
# Needs promtool (Debian: apt-get install -y prometheus) and python3. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"

command -v promtool >/dev/null || { echo "promtool not found (apt-get install -y prometheus)" >&2; exit 1; }
promtool --version 2>&1 | head -1

echo "== promtool check config"
promtool check config prometheus.yml

echo "== promtool check rules"
promtool check rules rules/*.yml

echo "== promtool test rules"
promtool test rules tests/*.yml

echo "== dashboard JSON"
dash=grafana/framewire-dashboard.json
python3 -m json.tool "$dash" >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Structure, and every query written out as a rule file so promtool parses its PromQL
# (Grafana's variables replaced by values). Recorded series it uses must be defined.
python3 - "$dash" rules/*.yml >"$tmp/dashboard-queries.yml" <<'PY'
import json, re, sys
dash = json.load(open(sys.argv[1]))
rules_text = "".join(open(f).read() for f in sys.argv[2:])
recorded = set(re.findall(r"^\s*- record:\s*(\S+)", rules_text, re.M))
errors = []
if not any(i.get("name") == "DS_PROMETHEUS" for i in dash.get("__inputs", [])):
    errors.append("no DS_PROMETHEUS input")
if not any(v.get("name") == "instance" for v in dash.get("templating", {}).get("list", [])):
    errors.append("no instance template variable")
panels = [p for p in dash["panels"]] + [c for p in dash["panels"] for c in p.get("panels", [])]
ids = [p["id"] for p in panels]
if len(ids) != len(set(ids)):
    errors.append("duplicate panel ids")
exprs = []
for p in panels:
    if p["type"] == "row":
        continue
    if p.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
        errors.append(f"panel {p['title']!r}: datasource is not ${{DS_PROMETHEUS}}")
    if not p.get("targets"):
        errors.append(f"panel {p['title']!r}: no queries")
    for t in p.get("targets", []):
        exprs.append((p["title"], t["expr"]))
exprs += [("annotation " + a["name"], a["expr"]) for a in dash["annotations"]["list"] if "expr" in a]
for v in dash["templating"]["list"]:
    m = re.fullmatch(r"label_values\((.*),\s*\w+\)", v["definition"])
    if m:
        exprs.append(("variable " + v["name"], m.group(1)))
print("groups:\n  - name: dashboard\n    rules:")
for i, (title, e) in enumerate(exprs):
    for name in re.findall(r"\b((?:instance|job):[a-zA-Z0-9_:]+)", e):
        if name not in recorded:
            errors.append(f"{title!r}: {name} is not recorded in rules/")
    e = e.replace("$__rate_interval", "1m").replace("$instance", ".*")
    print(f"      - record: dashboard:query{i}\n        expr: {json.dumps(e)}")
for err in errors:
    print("dashboard: " + err, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
promtool check rules "$tmp/dashboard-queries.yml" | sed 's/^/  /'

echo "== all checks passed"
