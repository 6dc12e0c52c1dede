"""Until tests/conftest.py registers tests/services/*.py as plugins, load the RGW fixtures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_NAME = "tests_services_rgw"
if _NAME not in sys.modules:
    _path = Path(__file__).resolve().parents[1] / "services" / "rgw.py"
    _spec = importlib.util.spec_from_file_location(_NAME, _path)
    assert _spec is not None
    assert _spec.loader is not None
    sys.modules[_NAME] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(sys.modules[_NAME])

rgw = sys.modules[_NAME].rgw
s3_bucket = sys.modules[_NAME].s3_bucket
