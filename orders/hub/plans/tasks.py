"""Background work on the hub. Thin: take ids, call a service."""

from portal.celery import app


@app.task
def plan_solve(run_id: int) -> str:
    from .services import plan_solve as solve

    return solve(run_id=run_id).status
