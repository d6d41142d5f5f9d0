#!/usr/bin/env bash
# Quick start, command 2: sets everything up (including the independent references the tests compare
# against) and runs the whole test suite. Ends with one line "Tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/setup.sh --tests

# The references are installed above, so a missing one is a failure here, not a skip.
export SEGWEB_REQUIRE_REFERENCES=1
# The shared real data (../shared/data) is always present on CI; elsewhere tests needing it are skipped by name.
if [[ -n "${CI:-}" ]]; then export SEGWEB_REQUIRE_TEST_DATA=1; fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

results=$(mktemp -d)
status=0
dotnet test SegWeb.sln -c Release --no-build -nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || status=$?

# One summary line over every test project (the TRX files), and every skip with its reason.
/usr/bin/env python3 - "$results" <<'PY' || status=1
import sys, glob, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(sys.argv[1] + "/*.trx")
for f in files:
    root = ET.parse(f).getroot()
    for r in root.iterfind(".//t:UnitTestResult", ns):
        outcome = r.get("outcome")
        if outcome == "Passed":
            passed += 1
        elif outcome == "NotExecuted":
            skipped += 1
            msg = r.find(".//t:Output/t:ErrorInfo/t:Message", ns)
            print(f"skipped: {r.get('testName')}: {msg.text if msg is not None else 'no reason given'}")
        else:
            failed += 1
            print(f"failed: {r.get('testName')}")
print(f"Tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or not files else 0)
PY
rm -rf "$results"
exit $status
