"""Worker tasks for imports: each takes a job id and calls the service, which claims the job."""

from huey.contrib.djhuey import db_task

from followthrough.transfer.importing.jobs import import_job_work


@db_task()
def import_job_task(job_id: int) -> bool:
    """Do the dry run, import or undo the job is waiting for."""
    return import_job_work(job_id=job_id)
