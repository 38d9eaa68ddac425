"""torch intra-op threads per process role, so processes on one machine divide its cores.

Measured on a 2-core machine: LoRA training slowed ×13 (3.3 → 38–48 s per epoch) while another
torch process ran on the same cores, each one sized for the whole machine. A process now takes
its share by role (``settings.scheduler.jobs.torch_threads``), once, at start:

* ``api`` — an API process that runs no jobs (search embeddings, chat): a quarter of the cores;
* ``worker`` — a ``memcubedb worker`` (KGE, KV templates, LoRA): the cores left after the API's;
* ``combined`` — one process doing both (an API that runs jobs, the main job, the CLI): every core.
"""

from __future__ import annotations

import logging
import os
from typing import Literal

import torch

from memcubedb.config.scheduler import TorchThreads

Role = Literal["api", "worker", "combined"]

log = logging.getLogger("memcubedb.scheduler.threads")


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def default_threads(role: Role, cores: int) -> int:
    """The default intra-op thread count of ``role`` on ``cores`` cores (see the module docstring)."""
    api = max(1, cores // 4)
    if role == "api":
        return api
    if role == "worker":
        return max(1, cores - api)
    return max(1, cores)


def threads_for(role: Role, config: TorchThreads, cores: int) -> int:
    """The configured thread count of ``role``, or its default on ``cores`` cores."""
    configured: int | None = getattr(config, role)
    return configured if configured is not None else default_threads(role, cores)


def apply_torch_threads(role: Role, config: TorchThreads) -> int:
    """Set torch's intra-op threads for this process's role; return the count set."""
    count = threads_for(role, config, usable_cores())
    torch.set_num_threads(count)
    log.info("torch intra-op threads: %d (%s)", count, role)
    return count
