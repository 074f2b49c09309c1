from celery import shared_task


@shared_task
def reapply_name_policy(job_id: int) -> None:
    raise NotImplementedError
