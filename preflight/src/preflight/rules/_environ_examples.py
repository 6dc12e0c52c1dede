"""PF1101's VALID and INVALID examples (rules/config_env.py): environment reads at import,
each modelled on a public report."""

from __future__ import annotations

from preflight.rules.base import Invalid

VALID = (
    # AbdulRehman2106/Hackathon-Phase-2-Todo-Web backend/src/database.py:17-32: a fallback
    "import os\nfrom sqlalchemy import create_engine\nURL = os.getenv('DATABASE_URL')\n"
    "if URL is None:\n    URL = 'sqlite:////tmp/todo.db'\nengine = create_engine(URL)\n",
    # the raise is in a function: nothing runs at import
    "import os\nTOKEN = os.getenv('TOKEN')\ndef check():\n    if not TOKEN:\n"
    "        raise ValueError('TOKEN')\n",
    # a default: never None
    "import os\nTOKEN = os.getenv('TOKEN', '')\nif TOKEN == 'x':\n    raise ValueError\n",
    "import dotenv\nCFG = dotenv.dotenv_values('.env')\nSECRET_KEY = CFG.get('secret', 'x')\n",
    "import os\nSECRET = os.environ.get('SECRET', '')\n",
    "import os\nHOST = os.getenv('HOST', 'localhost').lower()\n",
    "import os\nURL = os.getenv('VERCEL_URL').lower()\n",  # Vercel always sets it
    "import os\nTOKEN = os.getenv('TOKEN')\n",  # None is fine until used
    "import os, redis\nr = redis.from_url(os.getenv('REDIS_URL', 'redis://localhost'))\n",
    "import os\ndef token():\n    return os.getenv('TOKEN').strip()\n",
    "from decouple import config\nSECRET = config('SECRET', default='')\n",
    "from decouple import config\ndef secret():\n    return config('SECRET')\n",
    "def config(name):\n    return name\nSECRET = config('SECRET')\n",  # not decouple
    "from environs import Env\nenv = Env()\nDEBUG = env.bool('DEBUG', False)\n",
    "import os\ndef secret():\n    return os.environ['SECRET']\n",
    "import os\nos.environ['TZ'] = 'UTC'\n",
    "import os\nif __name__ == '__main__':\n    print(os.environ['PORT'])\n",
    "import os\nif os.environ.get('DATABASE_URL'):\n    URL = os.environ['DATABASE_URL']\n",
    "import os\nURL = 'DATABASE_URL' in os.environ and os.environ['DATABASE_URL']\n",
    "import os\nHOSTS = os.environ.get('ALLOWED_HOSTS', '.vercel.app').split(',')\n",
    "import os\nos.environ['KEY'] = os.environ.get('OPENAI_KEY', '')\n",
    "from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n"
    "    DEBUG: bool = False\nsettings = Settings()\n",
)
INVALID = (
    Invalid(  # GabrielPassosM/team-manager-backend core/settings.py:19
        "import os\nSALT_ROUNDS = int(os.getenv('SALT_ROUNDS'))\n",
        line=2,
        column=19,
        message="int(os.getenv('SALT_ROUNDS')) raises TypeError at import when the "
        "variable is not set (None), and .env is never loaded by the builder",
    ),
    Invalid(  # Sowndharraj-m/vercel-fastapi-deployment app/database.py: a rewrite, no fallback
        "import os\nfrom sqlalchemy import create_engine\nURL = os.getenv('DATABASE_URL')\n"
        "if URL and URL.startswith('postgres://'):\n    URL = URL.replace('postgres', 'x')\n"
        "engine = create_engine(URL)\n",
        line=6,
        column=10,
        message="create_engine() gets os.getenv('DATABASE_URL'), None when it is not set, "
        "and raises at import; .env is never loaded by the builder",
    ),
    Invalid(  # aErixxx/telegram_bot_vercel api/webhook.py:16-19
        "import os\nBOT_TOKEN = os.getenv('TELEGRAM_BOT_TOKEN')\nif not BOT_TOKEN:\n"
        "    raise ValueError('TELEGRAM_BOT_TOKEN is not set')\n",
        line=2,
        column=13,
        message=(
            "os.getenv('TELEGRAM_BOT_TOKEN') is None when it is not set, and the `if` at "
            "line 3 raises at import; .env is never loaded by the builder"
        ),
    ),
    Invalid(  # dhimanparas20/django-vercel's vercel/settings.py:17
        "import os\nHOSTS = os.environ.get('ALLOWED_HOSTS', ['.vercel.app']).split(',')\n",
        line=2,
        column=9,
        message=(
            "os.environ.get('ALLOWED_HOSTS', ...) is its default, a list, when the "
            "variable is not set, and a list has no .split(): AttributeError at import"
        ),
    ),
    Invalid(  # YahyaAhmedKhan/fastapi-vercel's app/core/config.py: four required fields
        "from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n"
        "    DATABASE_URL: str\n    DEBUG: bool = False\nsettings = Settings()\n",
        line=5,
        column=12,
        message="Settings() at import raises ValidationError when DATABASE_URL (required, "
        "no default) is not set, and .env is never loaded by the builder",
    ),
    Invalid(  # silkbeauty/vercel-fastapi-for-aibookshub apps/utils/u_auth.py:13
        "import dotenv\nCFG = dotenv.dotenv_values('.env')\nSECRET_KEY = CFG['secret']\n",
        line=3,
        column=14,
        message="CFG['secret'] at import raises KeyError: dotenv_values() reads .env, which "
        "is not in the project, so it gives an empty dict",
    ),
    Invalid(  # efenocchi/Langchain-Vercel's api/llm_chain.py:12
        "import os\nos.environ['OPENAI_API_KEY'] = os.environ.get('OPENAI_KEY')\n",
        line=2,
        column=32,
        message=(
            "os.environ.get('OPENAI_KEY') is None when it is not set, and os.environ "
            "takes only strings: TypeError at import"
        ),
    ),
    Invalid(
        "import os\nDATABASE_URL = os.environ['DATABASE_URL']\n",
        line=2,
        column=16,
        message=(
            "os.environ['DATABASE_URL'] at import raises KeyError when it is "
            "not set, and .env is never loaded by the builder"
        ),
    ),
    Invalid(
        "from os import environ\nKEY = environ['KEY']\n",
        line=2,
        column=7,
        message=(
            "os.environ['KEY'] at import raises KeyError when it is not set, "
            "and .env is never loaded by the builder"
        ),
    ),
    Invalid(
        "import os\nclass Settings:\n    token = os.environ['TOKEN']\n",
        line=3,
        column=13,
        message=(
            "os.environ['TOKEN'] at import raises KeyError when it is not "
            "set, and .env is never loaded by the builder"
        ),
    ),
    Invalid(
        "import os\nif os.environ.get('DEBUG'):\n    URL = os.environ['URL']\n",
        line=3,
        column=11,
        message=(
            "os.environ['URL'] at import raises KeyError when it is not set, "
            "and .env is never loaded by the builder"
        ),
    ),
    Invalid(
        "import os\nKEY = os.getenv('API_KEY').replace('-', '')\n",
        line=2,
        column=7,
        message=(
            "os.getenv('API_KEY') is None when it is not set, so using its "
            "value at import raises (AttributeError/TypeError) and .env is "
            "never loaded by the builder"
        ),
    ),
    Invalid(
        "import os\nPORT = os.environ.get('PORT')[0]\n",
        line=2,
        column=8,
        message=(
            "os.getenv('PORT') is None when it is not set, so using its value "
            "at import raises (AttributeError/TypeError) and .env is never "
            "loaded by the builder"
        ),
    ),
    Invalid(  # jupediaz/chatgpt-prompt-splitter api/index.py:14-15
        "import os, redis\nURL = os.environ.get('REDIS_URL')\nr = redis.from_url(URL)\n",
        line=3,
        column=5,
        message=(
            "redis.from_url() gets os.getenv('REDIS_URL'), None when it is not set, and "
            "raises at import; .env is never loaded by the builder"
        ),
    ),
    Invalid(
        "from decouple import config\nSECRET_KEY = config('MY_SECRET_KEY')\n",
        line=2,
        column=14,
        message=(
            "config('MY_SECRET_KEY') without a default raises "
            "UndefinedValueError at import when the variable is not set, and "
            ".env is not uploaded"
        ),
    ),
    Invalid(
        "from decouple import config\nDEBUG = config('DEBUG', cast=bool)\n",
        line=2,
        column=9,
        message=(
            "config('DEBUG') without a default raises UndefinedValueError at "
            "import when the variable is not set, and .env is not uploaded"
        ),
    ),
    Invalid(
        "from environs import Env\nenv = Env()\nURL = env.str('DATABASE_URL')\n",
        3,
        column=7,
        message=(
            "env.str('DATABASE_URL') without a default raises EnvError at "
            "import when the variable is not set, and .env is not uploaded"
        ),
    ),
    Invalid(
        "from environs import Env\nenv = Env()\nURL = env('DATABASE_URL')\n",
        line=3,
        column=7,
        message=(
            "env('DATABASE_URL') without a default raises EnvError at import "
            "when the variable is not set, and .env is not uploaded"
        ),
    ),
)
