# Records when each play and each task starts and when the run ends (wall clock), and the
# per-host totals, as JSON in the file named by KO_BENCH_TIMES:
#   {"plays": [{"name", "start", "end", "tasks": [{"name", "start", "end"}]}], "stats": {...}}
# The benchmark takes a play's duration as end - start, like koctl's phase timestamps.
import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_timer
type: aggregate
short_description: play wall-clock times for tests/bench/playbook
description: writes play start/end times to the file named by KO_BENCH_TIMES
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.plays = []

    def _close(self, now):
        if self.plays:
            if self.plays[-1]["end"] is None:
                self.plays[-1]["end"] = now
            tasks = self.plays[-1]["tasks"]
            if tasks and tasks[-1]["end"] is None:
                tasks[-1]["end"] = now

    def v2_playbook_on_play_start(self, play):
        now = time.time()
        self._close(now)
        self.plays.append({"name": play.get_name(), "start": now, "end": None, "tasks": []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        now = time.time()
        tasks = self.plays[-1]["tasks"]
        if tasks:
            tasks[-1]["end"] = now
        tasks.append({"name": task.get_name(), "start": now, "end": None})

    def v2_playbook_on_stats(self, stats):
        self._close(time.time())
        hosts = {h: stats.summarize(h) for h in sorted(stats.processed)}
        path = os.environ.get("KO_BENCH_TIMES")
        if path:
            with open(path, "w") as f:
                json.dump({"plays": self.plays, "stats": hosts}, f, indent=1)
