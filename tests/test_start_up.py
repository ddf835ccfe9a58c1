"""Start-up stays quick: importing the app loads none of the heavy libraries that only some
requests need (scipy.stats, statsmodels, fpdf), nor Alembic (only start-up and commands migrate)
or tinycss2 (the stylesheets are parsed as a serving process starts, not at import). Each cost
a tenth to half a second of CPU at every start of a worker, a command or a test process; they
are imported where they are used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("scipy.stats", "scipy.spatial", "statsmodels", "fpdf", "alembic", "tinycss2")


def test_importing_the_app_loads_no_library_only_some_requests_need():
    code = ("import json, sys; import app; "
            f"print(json.dumps(sorted({{m.split('.')[0] + '.' + m.split('.')[1] if m.startswith('scipy.') else "
            f"m.split('.')[0] for m in sys.modules if m.startswith({HEAVY!r})}})))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[1])
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_a_serving_process_parses_every_stylesheet_before_its_first_request():
    """What import no longer does, gunicorn's post_worker_init does (through the app's warm-up
    list): every stylesheet of the assets folder is parsed once, so no visitor's request pays."""
    code = ("import json, runpy, types; from pathlib import Path; import app; "
            "from dashboard.site import critical_css; "
            "before = critical_css._file_rules.cache_info().currsize; "
            "hooks = runpy.run_path('gunicorn.conf.py'); "
            "hooks['post_worker_init'](types.SimpleNamespace(wsgi=app.server)); "
            "print(json.dumps([before, critical_css._file_rules.cache_info().currsize, "
            "len(list(Path('assets').glob('*.css')))]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[1])
    before, after, sheets = json.loads(result.stdout.strip().splitlines()[-1])
    assert before == 0 and sheets >= 2 and after == sheets
