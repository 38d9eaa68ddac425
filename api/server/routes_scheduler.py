"""/v1/scheduler: recorded scores, promotion / encoding / demotion / a full run on demand, jobs.

Work that needs the LM (KV templates, LoRA) is queued as a durable job of the MemScheduler
(``promotion``, ``encoding``, ``demotion``, ``run``; :mod:`memcubedb.scheduler.jobs`) and answered
202 with the job; a worker claims it — a ``memcubedb worker`` process, or this API's own job
threads when ``scheduler.jobs.api_works_jobs`` is on — and its state is then read at
``/v1/scheduler/jobs/{id}`` (``queued`` → ``running`` → ``succeeded`` | ``failed``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from memcubedb.api.schemas.ops import DemoteIn, EncodeIn, JobOut, PromoteIn, ScoreOut
from memcubedb.api.server.auth import Caller, Capability, Reader, ServicesDep, Writer
from memcubedb.api.server.errors import ApiError, responses
from memcubedb.api.server.services import Services
from memcubedb.cube import MemoryType
from memcubedb.graph.read_models.lookups import access, fact_states, recorded_scores
from memcubedb.states import Operation, check_operation

router = APIRouter(prefix="/v1/scheduler", tags=["scheduler"])


def _job_out(job: Any) -> JobOut:
    return JobOut(id=job.id, kind=job.kind, state=job.state, principal=job.principal, params=job.params,
                  attempts=job.attempts, result=job.result, error=job.error)


def _enqueue(services: Services, response: Response, kind: str, principal: str, params: dict[str, Any]) -> JobOut:
    """Queue a job for a worker, wake this process's own worker (if it runs jobs), answer 202."""
    job = services.ledger.enqueue(kind, principal, params)
    services.wake_worker()
    response.headers["Location"] = f"/v1/scheduler/jobs/{job.id}"
    return _job_out(job)


def _writable(services: Services, caller: Caller, cube_id: str, operation: Operation) -> MemoryType:
    """The cube's memory type, after checking that the caller may write it and that its lifecycle
    state admits ``operation`` (else 409 naming the state — a deleted memory is never revived)."""
    cube = services.store.get_cube(caller.principal, cube_id)
    if not access(services.store, caller.principal, cube_id)[1]:
        raise ApiError(403, f"{caller.principal!r} may not write MemCube {cube_id!r}", "forbidden")
    check_operation(cube_id, cube.governance.state, operation)
    return cube.descriptive.memory_type


@router.get(
    "/scores", response_model=list[ScoreOut], summary="Recorded promotion scores",
    description="The latest score the MemScheduler recorded on each readable cube, highest first.",
    responses=responses(401, 422),
)
def scores(
    caller: Reader, services: ServicesDep, memory_type: MemoryType | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[ScoreOut]:
    rows = recorded_scores(services.store, caller.principal, memory_type.value if memory_type else None, limit)
    return [ScoreOut(**r) for r in rows]


@router.post(
    "/promote", response_model=JobOut, status_code=202, summary="Promote a memory to a KV template",
    responses=responses(401, 403, 404, 409, 422),
)
def promote(body: PromoteIn, caller: Writer, services: ServicesDep, response: Response) -> JobOut:
    if _writable(services, caller, body.cube_id, Operation.PROMOTE) is not MemoryType.PLAINTEXT:
        raise ApiError(409, f"MemCube {body.cube_id!r} is not plaintext; only plaintext is promoted", "wrong-type")
    return _enqueue(services, response, "promotion", caller.principal, {"cube_id": body.cube_id, "score": body.score})


@router.post(
    "/encode", response_model=JobOut, status_code=202, summary="Encode facts into a LoRA adapter",
    responses=responses(401, 403, 409, 422),
)
def encode(body: EncodeIn, caller: Writer, services: ServicesDep, response: Response) -> JobOut:
    sched = services.scheduler
    readable = {r["fact_id"] for r in sched.fact_triples(caller.principal)}
    ids = sorted(set(body.fact_ids) & readable)
    if not ids:
        states = fact_states(services.store, caller.principal, body.fact_ids)
        if states:
            raise ApiError(409, "body.fact_ids: these facts are asserted only by memories that are "
                           f"{' or '.join(states)}; they cannot be encoded", "lifecycle-state")
        raise ApiError(422, "body.fact_ids: none is a readable, live, affirmed fact of the caller", "validation")
    return _enqueue(services, response, "encoding", caller.principal, {"fact_ids": ids})


@router.post(
    "/demote", response_model=JobOut, status_code=202, summary="Demote a KV template or adapter to plaintext",
    responses=responses(401, 403, 404, 409, 422),
)
def demote(body: DemoteIn, caller: Writer, services: ServicesDep, response: Response) -> JobOut:
    kind = _writable(services, caller, body.cube_id, Operation.DEMOTE)
    if kind is MemoryType.PLAINTEXT:
        raise ApiError(409, f"MemCube {body.cube_id!r} is plaintext already", "wrong-type")
    return _enqueue(services, response, "demotion", caller.principal, {"cube_id": body.cube_id, "reason": body.reason})


@router.post(
    "/run", response_model=JobOut, status_code=202, summary="Run the MemScheduler once for the caller",
    description="Recover interrupted jobs, apply TTLs, train graph embeddings, score, promote, encode, demote.",
    responses=responses(401, 403),
)
def run(caller: Writer, services: ServicesDep, response: Response) -> JobOut:
    return _enqueue(services, response, "run", caller.principal, {})


@router.get(
    "/jobs", response_model=list[JobOut], summary="Recent scheduler jobs",
    description="The caller's jobs, newest first (an admin sees everyone's).", responses=responses(401, 422),
)
def jobs(caller: Reader, services: ServicesDep, limit: Annotated[int, Query(ge=1, le=500)] = 20) -> list[JobOut]:
    principal = None if caller.can(Capability.ADMIN) else caller.principal
    return [_job_out(j) for j in services.ledger.recent(principal, limit)]


@router.get("/jobs/{job_id}", response_model=JobOut, summary="A scheduler job", responses=responses(401, 404))
def job(job_id: str, caller: Reader, services: ServicesDep) -> JobOut:
    try:
        found = services.ledger.get(job_id)
    except LookupError:
        found = None
    if found is None or (found.principal != caller.principal and not caller.can(Capability.ADMIN)):
        raise ApiError(404, f"no job {job_id!r}", "not-found")
    return _job_out(found)
