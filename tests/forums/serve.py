"""Run one portal server process: ``python -m tests.forums.serve PORT``.

The multi-process live test starts two of these. Settings come from the
environment as in production (``DATABASE_URL``, ``REDIS_URL``,
``SOCKETIO_CHANNEL``, ``SECRET_KEY``); ``TACIT_INSTANCE_PATH`` keeps each run's
instance folder out of the project.
"""

import os
import sys

from portal import create_app
from portal.extensions import socketio


def main(port: int) -> None:
    config = {}
    if os.environ.get("TACIT_INSTANCE_PATH"):
        config["INSTANCE_PATH"] = os.environ["TACIT_INSTANCE_PATH"]
    app = create_app(config)
    socketio.run(
        app,
        host="127.0.0.1",
        port=port,
        allow_unsafe_werkzeug=True,
        use_reloader=False,
        log_output=False,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
