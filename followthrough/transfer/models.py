"""Imports (DESIGN C7): a job per uploaded file, the rows it rejected, and what it changed, so
an import can be checked before, resumed from its rejected rows after, and undone as a whole."""

from django.conf import settings
from django.db import models

from followthrough.accounts.models import Workspace
from followthrough.people.models import Contact


class ImportKind(models.TextChoices):
    CONTACTS = "contacts", "Contacts"
    INVOICES = "invoices", "Invoices"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded, waiting for the column mapping"
    CHECKING = "checking", "Dry run in progress"
    CHECKED = "checked", "Dry run done"
    IMPORTING = "importing", "Importing"
    IMPORTED = "imported", "Imported"
    UNDOING = "undoing", "Undoing"
    UNDONE = "undone", "Undone"
    FAILED = "failed", "Failed"


# Statuses in which a worker is (or will be) at work: the page keeps polling.
BUSY_STATUSES = frozenset({ImportStatus.CHECKING, ImportStatus.IMPORTING, ImportStatus.UNDOING})


class ImportJob(models.Model):
    """One uploaded file and everything done with it. The file itself is kept in the database
    (not on a disk the web server has and the worker may not) until the job is deleted."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=10, choices=ImportKind.choices, default="contacts")
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default="uploaded")
    file_name = models.CharField(max_length=255)
    data = models.BinaryField(editable=False)
    header = models.JSONField(default=list, blank=True)
    # The field each column goes to, in column order ("" = ignored).
    mapping = models.JSONField(default=list, blank=True)
    # The first rows, to show next to each column while choosing the mapping.
    preview = models.JSONField(default=list, blank=True)
    # Progress of the running step, for the progress bar.
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # The dry run's or the import's counts and samples (see importing.plan.Plan.summary).
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # Set by the worker that took the current step (dry run, import or undo): one worker only.
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The import history list, newest first.
            models.Index(fields=["workspace", "-created_at"], name="importjob_history"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.file_name}"

    @property
    def busy(self) -> bool:
        return self.status in BUSY_STATUSES

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)


class ImportRow(models.Model):
    """A row the import rejected, kept with its original cells and the reasons, so nothing is
    lost: it can be downloaded, fixed and imported again."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejected_rows")
    number = models.PositiveIntegerField(help_text="As a spreadsheet shows it: the header is 1.")
    values = models.JSONField(default=list)
    # [{"column": "E-mail 1 - Value", "message": "…"}]
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["number"]
        indexes = [models.Index(fields=["job", "number"], name="importrow_by_job")]

    def __str__(self) -> str:
        return f"row {self.number}"


class ImportCreated(models.Model):
    """A run of contact ids an import created (ids only grow: SQLite AUTOINCREMENT, PostgreSQL
    sequences), so undo finds them without a row per contact: 100,000 new contacts are a few
    dozen of these."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="created_runs")
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"contacts {self.first_id}–{self.last_id}"

    @property
    def count(self) -> int:
        return self.last_id - self.first_id + 1


class ImportChange(models.Model):
    """What an import added to one contact it did not create, so undo can take it back: the
    fields it filled (with their values before), and the emails, phones, dates and tags."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="changes")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    # {"field": [before, after]} for fields filled on an existing contact.
    fields = models.JSONField(default=dict, blank=True)
    email_ids = models.JSONField(default=list, blank=True)
    phone_ids = models.JSONField(default=list, blank=True)
    date_ids = models.JSONField(default=list, blank=True)
    tag_ids = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"changes to contact {self.contact_id}"
