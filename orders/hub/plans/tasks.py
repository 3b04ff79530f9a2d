"""Background work of plan runs. Thin: take ids, call a service."""

from portal.celery import app


# Found by the worker through CELERY_IMPORTS (autodiscovery looks for orders.hub.tasks),
# under its name from before plan runs had a package: queued messages and routes use it.
@app.task(name="orders.hub.tasks.plan_solve")
def plan_solve(run_id: int) -> str:
    from .services import plan_solve as solve

    return solve(run_id=run_id).status
