"""The default backend: the child is a process on this machine, in its own session (closing the
browser or restarting the server does not stop it), its output in a file, never a pipe."""
from __future__ import annotations

import subprocess

from . import Backend


class LocalBackend(Backend):
    name = "local"

    def submit(self, run, argv, env, cwd, stdout_path):
        with open(stdout_path, "ab") as out:
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, cwd=cwd, env=env,
                                    start_new_session=True)
        proc.reason = ""  # a local child's own events (or its missing pid) tell how it ended
        return proc

    # A run a previous server started is followed through its pid by the registry, and killed
    # through it by studio.control: nothing to re-attach or kill here.
