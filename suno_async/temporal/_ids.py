"""Workflow ids and ledger keys (pure; used inside and outside the workflow sandbox)."""

from __future__ import annotations

import hashlib

__all__ = ["DEFAULT_ID_PREFIX", "downloads_queue", "ledger_key", "workflow_id_for"]

#: The prefix of a job's workflow id.
DEFAULT_ID_PREFIX = "suno-job-"


def workflow_id_for(key: str, prefix: str = DEFAULT_ID_PREFIX) -> str:
    """The workflow id of the job with this key: ``prefix`` + a hash of the key, so starting
    the same job twice finds the first (Temporal refuses a second workflow with the id)."""
    return prefix + hashlib.sha256(key.encode()).hexdigest()[:32]


def ledger_key(workflow_id: str, step: str, attempt: int) -> str:
    """The ledger key of a paid step of a workflow (``create``, ``generate``) and its attempt
    (a resend is a new request, with a cost of its own)."""
    return f"{workflow_id}:{step}:{attempt}"


def downloads_queue(task_queue: str) -> str:
    """The task queue of downloads (and ledger fixes) next to ``task_queue``."""
    return f"{task_queue}-downloads"
