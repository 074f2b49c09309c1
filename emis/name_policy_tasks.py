"""The name-policy re-apply task: takes a job id, the service does the work."""

from celery import shared_task


@shared_task(ignore_result=True)
def reapply_name_policy(job_id: int) -> None:
    from emis.name_policy_reapply import reapply_job_run

    reapply_job_run(job_id=job_id)
