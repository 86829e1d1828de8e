"""Serve Suivi with its pages for the browser tests: ``python -m tests.web.serve`` (settings from the environment)."""

from __future__ import annotations

import os
from functools import partial

import uvicorn

from service.app import Gdpr, create_app
from service.gdpr.retention import RetentionPolicy
from service.gdpr.tools import ErasureTools
from service.settings import Settings
from service.storage.keys.master_key import MasterKey
from service.storage.runtime import open_runtime


def main() -> None:
    settings = Settings.from_env(os.environ)
    key = MasterKey.from_hex(os.environ["SUIVI_MASTER_KEY"], source="SUIVI_MASTER_KEY")
    url = os.environ["DATABASE_URL"]
    gdpr = Gdpr(ErasureTools.from_settings(settings, key), RetentionPolicy.from_settings(settings))
    app = create_app(partial(open_runtime, url, key, poll_interval=0.1), gdpr=gdpr, secure_cookies=False)
    uvicorn.run(app, host="127.0.0.1", port=settings.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
