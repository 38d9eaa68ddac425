"""torch intra-op threads per process role: defaults divide the cores, settings override them."""

from __future__ import annotations

import pytest

from memcubedb.config.scheduler import JobsConfig, TorchThreads
from memcubedb.scheduler.threads import default_threads, threads_for


@pytest.mark.parametrize(("cores", "api", "worker", "combined"), [(1, 1, 1, 1), (2, 1, 1, 2), (8, 2, 6, 8),
                                                                   (16, 4, 12, 16)])
def test_roles_divide_the_cores(cores: int, api: int, worker: int, combined: int) -> None:
    assert (default_threads("api", cores), default_threads("worker", cores), default_threads("combined", cores)) == (
        api, worker, combined)
    if cores > 1:  # an API and a worker on one machine never ask for more than its cores together
        assert default_threads("api", cores) + default_threads("worker", cores) <= cores


def test_settings_override_the_default() -> None:
    config = TorchThreads(worker=3)
    assert threads_for("worker", config, 2) == 3
    assert threads_for("api", config, 16) == 4


def test_heartbeat_must_be_shorter_than_the_lease() -> None:
    with pytest.raises(ValueError, match="heartbeat_s"):
        JobsConfig(lease_s=5, heartbeat_s=5)
