"""A JobQueue stand-in that queues runs in the registry but starts no process."""
from studio.control import request_stop


class FakeQueue:
    def __init__(self, registry):
        self.registry = registry
        self.submitted = []

    def submit(self, cfg, owner="", address=None):
        cfg.validate()
        run = self.registry.new_run(cfg, owner=owner)
        self.submitted.append(run.id)
        return run

    def stop(self, run_id, owner=None):
        return request_stop(self.registry, self.registry.get(run_id))
