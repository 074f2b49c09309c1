from django.db import models


class FormSubmission(models.Model):
    """A "create" form that was saved, by the token it was rendered with
    (``pms.submissions``): the same rendered form posted again — the browser's
    Back then Save, a re-POST — creates no second one; the page shows the
    typing again with a link to what it created. In the database, not in a process: several web processes
    serve one clerk. Holds no personal data: the address is ids only."""

    token = models.UUIDField(unique=True)
    form = models.CharField(max_length=50)  # which form: "guest_new", ...
    target_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.form} {self.token}"
