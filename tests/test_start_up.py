"""Start-up stays quick: importing the app loads none of the heavy libraries that only some
requests need (scipy.stats, statsmodels, fpdf). Each cost a quarter to half a second of CPU at
every start of a worker, a command or a test process; they are imported where they are used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("scipy.stats", "scipy.spatial", "statsmodels", "fpdf")


def test_importing_the_app_loads_no_library_only_some_requests_need():
    code = ("import json, sys; import app; "
            f"print(json.dumps(sorted({{m.split('.')[0] + '.' + m.split('.')[1] if m.startswith('scipy.') else "
            f"m.split('.')[0] for m in sys.modules if m.startswith({HEAVY!r})}})))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[1])
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
