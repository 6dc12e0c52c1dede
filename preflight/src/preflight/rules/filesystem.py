"""F5: writes outside /tmp. The function's filesystem is read-only except /tmp.

On Vercel and Lambda the code lives in /var/task (read-only) and HOME is not writable:
`open("users.json", "w")` raises `OSError: [Errno 30] Read-only file system`, at import
time it takes the whole function down (`could not import ...`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from preflight.findings import Finding, Severity
from preflight.import_reach import reached_at_import
from preflight.rules._paths import describe
from preflight.rules._uploads import takes_uploads
from preflight.rules._write_reach import (
    bound_target,
    creates_shipped_directory,
    handles_os_error,
    never_runs_on_vercel,
    runs_on_vercel,
    with_unresolved,
)
from preflight.rules._writes import writes
from preflight.rules.base import CodeRule, Invalid
from preflight.source import Chain, Module
from preflight.syntax import FunctionNode


class WriteOutsideTmp(CodeRule):
    """Any file write whose target we can see is not under /tmp."""

    id = "PF501"
    fid = "F5"
    name = "write-outside-tmp"
    severity = Severity.ERROR
    message = "writes to a file outside /tmp: the function's filesystem is read-only"
    fix = "write scratch files under tempfile.gettempdir(); keep data in a database or bucket"

    VALID = (
        "import tempfile, os\n"
        "with open(os.path.join(tempfile.gettempdir(), 'x.json'), 'w') as f: pass\n",
        "open('/tmp/cache.json', 'w')\n",
        "open('settings.json')\n",
        "def save(path):\n    open(path, 'w')\n",
        "from pathlib import Path\nPath('/tmp/x').mkdir(exist_ok=True)\n",
        "import os\nif not os.environ.get('VERCEL'):\n    os.makedirs('data', exist_ok=True)\n",
        "import os\nif not os.getenv('VERCEL'):\n    open('out.txt', 'w')\n",
        "import os\nif os.environ.get('VERCEL'):\n    D = '/tmp/d'\nelse:\n    os.makedirs('d')\n",
        "import os\ndef on_vercel():\n    return bool(os.environ.get('VERCEL'))\n"
        "if not on_vercel():\n    os.makedirs('logs')\n",
        "if __name__ == '__main__':\n    open('dump.json', 'w')\n",
        # one false operand makes the `and` false on Vercel (RoggerMS/Crunevo2 app.py:723)
        "import os\ndef create_app(app):\n    on_lambda = os.environ.get('VERCEL')\n"
        "    if not app.debug and not on_lambda:\n        os.mkdir('logs')\n",
        # the module sets the variable at import, so the write behind its absence never runs
        "import os\nos.environ['SEED'] = '{}'\ndef save(request):\n"
        "    if not os.environ.get('SEED'):\n        open('seed.json', 'w')\n",
        "import logging\nlogging.basicConfig(level=logging.INFO)\n",
        "import os\ntry:\n    os.makedirs('instance')\nexcept OSError:\n    pass\n",
        # called at import, but the argument switches the file sink off on Vercel
        "import os\ndef _sink():\n    os.makedirs('logs')\ndef setup(to_file):\n"
        "    if to_file:\n        _sink()\nsetup(os.getenv('LOG_FILE', 'no') == 'yes')\n",
        # called at import inside a try that copes with the read-only error
        "import os\ndef setup():\n    os.makedirs('logs')\ntry:\n    setup()\n"
        "except OSError:\n    pass\n",
        "import logging.config\nlogging.config.dictConfig({'handlers': {'f': {\n"
        "    'class': 'logging.FileHandler', 'filename': '/tmp/app.log'}}})\n",
        "LOGGING = {'handlers': {'f': {'class': 'logging.FileHandler', 'filename': 'a.log',\n"
        "    'delay': True}}}\n",
        # uploads kept in /tmp, in memory or sent to a bucket
        "import os, tempfile\nfrom flask import request\n@app.post('/u')\ndef u():\n"
        "    f = request.files['f']\n    f.save(os.path.join(tempfile.gettempdir(), 'x'))\n",
        "import io\nfrom flask import request\n@app.post('/u')\ndef u():\n"
        "    s3.upload_fileobj(request.files['f'], 'bucket', 'k')\n"
        "    io.BytesIO(request.files['g'].read())\n",
        "import aiofiles\nfrom fastapi import UploadFile\n@app.post('/u')\n"
        "async def u(file: UploadFile):\n"
        "    async with aiofiles.open(f'/tmp/{file.filename}', 'wb') as out:\n        pass\n",
        "def save(form):\n    form.save('uploads/x')\n",  # not an upload: any .save()
        # loguru to a stream, or a file opened at the first record (delay=True)
        "import sys\nfrom loguru import logger\nlogger.add(sys.stderr)\n"
        "logger.add('/tmp/app.log')\nlogger.add('logs/app.log', delay=True)\n",
        "from os import path\nopen(path.join(path.dirname(__file__), 'seed.json'))\n",
        "import gdown, tempfile\ngdown.download('https://x/y', tempfile.gettempdir() + '/m')\n",
        "from storages.backends.s3 import S3Storage\nfrom django.core.management import "
        "call_command\ncall_command('collectstatic', '--noinput')\n",
        "from pydantic_settings import BaseSettings\n"
        "class Settings(BaseSettings):\n    DATA_DIR: str = '/tmp/data'\n"
        "settings = Settings()\nopen(settings.DATA_DIR + '/x.bin', 'wb')\n",
    )
    INVALID = (
        Invalid(  # a pydantic-settings default (Sowndharraj-m/vercel-fastapi-deployment)
            "from pydantic_settings import BaseSettings\n"
            "class Settings(BaseSettings):\n    DATA_DIR: str = './data'\n"
            "settings = Settings()\n"
            "def save(data):\n    with open(settings.DATA_DIR + '/x.bin', 'wb') as f:\n"
            "        f.write(data)\n",
            line=6,
            column=10,
            message="writes './data' inside the deployed code (/var/task is read-only) when "
            "it runs: those requests fail",
        ),
        Invalid(
            "import json, os\n"
            "DATA = os.path.join(os.path.dirname(__file__), 'users.json')\n"
            "def add_user(request):\n"
            "    with open(DATA, 'w') as f:\n"
            "        json.dump({}, f)\n",
            line=4,
            column=10,
            message="writes 'users.json' inside the deployed code (/var/task is "
            "read-only) in a request handler: every request to it fails",
        ),
        Invalid(
            "from pathlib import Path\nPath(__file__).parent.joinpath('out.txt').write_text('x')\n",
            2,
            column=1,
            message="writes 'out.txt' inside the deployed code (/var/task is read-only) at "
            "import time",
        ),
        Invalid(
            "from pathlib import Path\nCACHE = Path(__file__).with_name('c.json')\nCACHE.touch()\n",
            line=3,
            column=1,
            message="writes 'c.json' inside the deployed code (/var/task is read-only) at import "
            "time",
        ),
        Invalid(
            "import os\nos.makedirs('uploads', exist_ok=True)\n",
            line=2,
            column=1,
            message="writes 'uploads' inside the deployed code (/var/task is read-only) at "
            "import time",
        ),
        Invalid(
            "import logging\nhandler = logging.FileHandler('app.log')\n",
            line=2,
            column=11,
            message="writes 'app.log' inside the deployed code (/var/task is read-only) at "
            "import time",
        ),
        Invalid(
            "import logging\nlogging.basicConfig(filename='app.log')\n",
            line=2,
            column=1,
            message="writes 'app.log' inside the deployed code (/var/task is read-only) at "
            "import time",
        ),
        Invalid(
            "from pathlib import Path\nCACHE = Path.home() / '.cache' / 'app'\nCACHE.mkdir()\n",
            3,
            column=1,
            message="writes a file in HOME (not writable in the function) at import time",
        ),
        # a model downloaded at import beside the code (abdulrhmansalama/tumor-prediction)
        Invalid(
            "import os, gdown\nPATH = 'model.h5'\nif not os.path.exists(PATH):\n"
            "    gdown.download('https://drive.google.com/uc?id=x', PATH, quiet=False)\n",
            line=4,
            column=5,
            message="writes 'model.h5' inside the deployed code (/var/task is read-only) at "
            "import time",
        ),
        Invalid(
            "import shutil\nshutil.copy('/tmp/a', 'static/a')\n",
            line=2,
            column=1,
            message="writes 'static/a' inside the deployed code (/var/task is read-only) at "
            "import time",
        ),
        # the branch that runs on Vercel
        Invalid(
            "import os\nif os.environ.get('VERCEL'):\n    os.makedirs('logs')\n",
            line=3,
            column=5,
            message="writes 'logs' inside the deployed code (/var/task is read-only) at import "
            "time",
        ),
        Invalid(
            "import os\nif os.getenv('LOG_TO_FILE', 'true').lower() == 'true':\n"
            "    os.makedirs('logs', exist_ok=True)\n",
            line=3,
            column=5,
            message="writes 'logs' inside the deployed code (/var/task is read-only) at import "
            "time",
        ),
        # reached at import through two calls (chenyme/grok2api#538)
        Invalid(
            "import logging, os\nfrom pathlib import Path\ndef _sink():\n"
            "    os.makedirs(Path.cwd() / 'logs', exist_ok=True)\n"
            "    logging.getLogger().addHandler(logging.FileHandler('logs/app.log'))\n"
            "def setup(to_file):\n    if to_file:\n        _sink()\n"
            "setup(os.getenv('LOG_FILE_ENABLED', 'true') == 'true')\n",
            line=4,
            message="writes 'logs' inside the deployed code (/var/task is read-only) at import "
            "time, through setup() at app.py:9 -> _sink() at app.py:8",
            column=5,
        ),
        # Werkzeug's FileStorage.save into the code folder: every upload fails
        Invalid(
            "import os\nfrom flask import Flask, request\napp = Flask(__name__)\n"
            "app.config['UPLOAD_FOLDER'] = 'uploads'\n@app.post('/u')\ndef u():\n"
            "    for f in request.files.getlist('files'):\n"
            "        f.save(os.path.join(app.config['UPLOAD_FOLDER'], f.filename))\n",
            line=8,
            message="saves uploads to 'uploads' inside the deployed code (/var/task is "
            "read-only): every upload fails",
            column=9,
        ),
        Invalid(
            "import shutil\nfrom fastapi import UploadFile\n@app.post('/u')\n"
            "async def u(file: UploadFile):\n"
            "    with open(f'static/{file.filename}', 'wb') as out:\n"
            "        shutil.copyfileobj(file.file, out)\n",
            line=5,
            column=10,
            message="saves uploads to 'static/' inside the deployed code (/var/task "
            "is read-only): every upload fails",
        ),
        # Vercel's builder runs collectstatic and leaves STATIC_ROOT out of the function
        Invalid(
            "from django.core.management import call_command\n"
            "call_command('collectstatic', interactive=False)\n",
            line=2,
            column=1,
            message="writes 'STATIC_ROOT' inside the deployed code (/var/task is "
            "read-only) at import time",
        ),
        # loguru makes the folder and opens the file when the sink is added
        # (000px/QQMusicApi api/index.py:22)
        Invalid(
            "from loguru import logger\nlogger.add('log/app.log', retention='5 days')\n",
            line=2,
            column=1,
            message="writes 'log/app.log' inside the deployed code (/var/task is "
            "read-only) at import time",
        ),
        # os.path under the name `path` (000px/QQMusicApi api/index.py:3,32)
        Invalid(
            "from os import path\npwd = path.dirname(__file__)\n"
            "open(f'{pwd}/credential.json', 'w')\n",
            line=3,
            column=1,
            message="writes 'credential.json' inside the deployed code (/var/task is "
            "read-only) at import time",
        ),
        # a handler that raises again does not cope (drkostas/hevy2garmin db_sqlite.py:33)
        Invalid(
            "import os\ndef connect(request):\n    try:\n        os.makedirs('data')\n"
            "    except OSError as e:\n        raise RuntimeError('no database') from e\n",
            line=4,
            column=9,
            message="writes 'data' inside the deployed code (/var/task is read-only) in a "
            "request handler: every request to it fails",
        ),
        # Django configures LOGGING at setup, which opens the file
        Invalid(
            "LOGGING = {'version': 1, 'handlers': {'file': {\n"
            "    'class': 'logging.handlers.RotatingFileHandler', 'filename': 'debug.log'}}}\n",
            line=1,
            column=47,
            message="writes 'debug.log' inside the deployed code (/var/task is "
            "read-only) at import time",
        ),
    )

    def check(self, module: Module) -> Iterator[Finding]:
        reach = reached_at_import(module)
        reported: set[FunctionNode] = set()  # the first write raises: one finding per function
        for node, target in with_unresolved(module, reach, writes(module)):
            function = module.enclosing_function(node)
            chain = reach.get(function) if function is not None else None
            if not target.read_only and chain and isinstance(node, ast.Call):
                # the path may be visible only with the chain's arguments bound
                target = bound_target(chain, module, node) or target
            if not target.read_only or _excused(module, node):
                continue
            verdict = _verdict(module, node, describe(target), function, chain)
            if verdict is None:
                continue
            message, severity, once_per_function = verdict
            if once_per_function and function is not None:
                if function in reported:
                    continue
                reported.add(function)
            yield self.finding(module, node, message, severity=severity)


def _excused(module: Module, node: ast.AST) -> bool:
    """The write never runs on Vercel, or its failure is caught, or cannot happen."""
    return (
        never_runs_on_vercel(module, node)
        or handles_os_error(module, node)
        or creates_shipped_directory(module, node)
    )


def _verdict(
    module: Module,
    node: ast.AST,
    target: str,
    function: FunctionNode | None,
    chain: Chain | None,
) -> tuple[str, Severity | None, bool] | None:
    """(message, severity, once per function) for a read-only write, most certain failure
    first: the import (every cold start), every upload, every request to the route, or the
    requests that reach it; None when its only caller runs at import, where the write is
    ruled out."""
    if module.is_import_time(node):
        return f"writes {target} at import time", None, False
    if function is not None and chain is not None and runs_on_vercel(chain, module, node):
        via = " -> ".join(str(link) for link in chain)
        return f"writes {target} at import time, through {via}", None, True
    if chain is not None and not module.on_request_path(node):
        return None
    if function is not None and takes_uploads(function, module):
        # the upload feature never works on Vercel: no setting or traffic saves it
        return f"saves uploads to {target}: every upload fails", None, False
    if module.runs_with_its_handler(node):
        # the route can never succeed on Vercel, whatever the traffic: the seeds'
        # sign-up that appended to users.json next to the code
        return f"writes {target} in a request handler: every request to it fails", None, False
    # A write in a helper, or behind a branch, fails only the requests that reach it
    # (Toperlock/sing-box-subscribe api/app.py): a warning
    where = "in a request handler" if module.on_request_path(node) else "when it runs"
    return f"writes {target} {where}: those requests fail", Severity.WARNING, False
