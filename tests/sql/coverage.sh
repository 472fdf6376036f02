#!/usr/bin/env bash
# Which SQL code files have no pgTAP file of their name (tests/sql/crm_<area>.sql
# for sql/crm/<area>.sql, api_<resource>.sql for sql/api/<resource>.sql), and
# which functions they define that no pgTAP file names (as schema.name, or as
# 'name': an operation for pg_temp.page_all, a pg_proc row). Informational: exits 0.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
python3 - "$root" <<'PY'
import re, sys, pathlib
root = pathlib.Path(sys.argv[1])
tests = root / "tests" / "sql"
strip = lambda t: re.sub(r"--[^\n]*", "", t)
text = "\n".join(strip(p.read_text()) for p in sorted(tests.glob("*.sql")) + [tests / "fixtures.psql"]).lower()
decl = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\s+(\w+)\.(\w+)", re.I | re.M)
no_file, unnamed = [], []
for d in ("crm", "api"):
    for f in sorted((root / "sql" / d).glob("*.sql")):
        rel = f"sql/{d}/{f.name}"
        if not (tests / f"{d}_{f.name}").exists():
            no_file.append(rel)
        missing = []
        for schema, name in decl.findall(strip(f.read_text())):
            q = f"{schema}.{name}".lower()
            named = re.search(r"\b" + re.escape(q) + r"\b", text) or f"'{name.lower()}'" in text
            if not named:
                missing.append(q)
        if missing:
            unnamed.append(f"  {rel}: {' '.join(missing)}")
print(f"coverage: code files without a pgTAP file of their name: {' '.join(no_file) or 'none'}")
print("coverage: functions no pgTAP file names:" + ("\n" + "\n".join(unnamed) if unnamed else " none"))
PY
