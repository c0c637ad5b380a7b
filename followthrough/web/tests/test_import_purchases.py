"""Importing purchase history from a CSV file: a dry run that saves nothing, the import with a
report of every rejected row (and those rows to download, fix and import again), and rhythms
and tiers recomputed at once."""

import base64
import re

from django.core.files.uploadedfile import SimpleUploadedFile

from followthrough.events.models import Event
from followthrough.insight.models import CustomerScore, RhythmFit
from followthrough.people.models import Contact

GOOD_AND_BAD = (
    "date,email,amount,note\n"
    "2026-03-14,dana@example.com,1899.00,gravel bike\n"
    "2026-05-02,dana@example.com,$45.50,\n"
    "2026-13-01,dana@example.com,10,bad month\n"
    "2026-06-01,eli@example.com,12,new customer\n"
    "2026-06-02,eli@,abc,two problems\n"
)


def upload(text: str, name: str = "orders.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def report(body: str) -> str:
    return body.split('id="report"')[1].split("</section>")[0]


def test_a_dry_run_reports_everything_and_saves_nothing(alice_client, contact) -> None:
    response = alice_client.post("/import/purchases/", {
        "file": upload(GOOD_AND_BAD), "mode": "dry_run"})

    assert response.status_code == 200
    part = report(response.content.decode())
    assert "Dry run of orders.csv: nothing was saved" in part
    assert "<dt>Rows read</dt><dd>5</dd>" in part and "<dt>Would be imported</dt><dd>3</dd>" in part
    assert "1 new contact (as clients) would be created" in part
    assert not Event.objects.exists() and Contact.objects.count() == 1
    assert not RhythmFit.objects.exists()


def test_an_import_creates_the_purchases_and_reports_the_bad_rows(alice_client, workspace,
                                                                   contact) -> None:
    response = alice_client.post("/import/purchases/", {
        "file": upload(GOOD_AND_BAD), "mode": "import"})

    part = report(response.content.decode())
    assert "Imported orders.csv" in part and "<dt>Imported</dt><dd>3</dd>" in part
    assert "<dt>Rejected rows</dt><dd class=\"bad\">2</dd>" in part
    rows = part.split("<tbody>")[1].split("</tbody>")[0].split("</tr>")[:-1]
    rejected = [[re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
                for row in rows]
    assert rejected == [
        ["4", "date", "“2026-13-01” is not a date"],
        ["6", "amount", "“abc” is not an amount"],
        ["6", "email", "“eli@” is not an email address"],
    ]
    assert Event.objects.filter(type="purchase.made", source="import:purchases").count() == 3
    purchases = Event.objects.filter(type="purchase.made")
    assert sorted(event.data["amount"] for event in purchases) == [
        "12", "1899.00", "45.50"]
    eli = Contact.objects.get(workspace=workspace, emails__email="eli@example.com")
    assert eli.stage == "client"
    assert "Recomputed:" in part and CustomerScore.objects.filter(contact=contact).exists()


def test_the_rejected_rows_download_as_they_were(alice_client, contact) -> None:
    body = alice_client.post("/import/purchases/", {
        "file": upload(GOOD_AND_BAD), "mode": "import"}).content.decode()

    link = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)" '
                     r'download="rejected-purchases.csv"', body)
    assert link
    text = base64.b64decode(link[1]).decode("utf-8-sig")
    assert text == ("date,email,amount,note\r\n"
                    "2026-13-01,dana@example.com,10,bad month\r\n"
                    "2026-06-02,eli@,abc,two problems\r\n")

    fixed = text.replace("2026-13-01", "2026-01-13").replace("eli@,abc", "eli@example.com,7")
    again = alice_client.post("/import/purchases/", {"file": upload(fixed), "mode": "import"})

    assert "<dt>Imported</dt><dd>2</dd>" in report(again.content.decode())
    assert Event.objects.filter(type="purchase.made").count() == 5


def test_importing_the_same_file_twice_adds_nothing(alice_client, contact) -> None:
    alice_client.post("/import/purchases/", {"file": upload(GOOD_AND_BAD), "mode": "import"})

    body = alice_client.post("/import/purchases/", {
        "file": upload(GOOD_AND_BAD), "mode": "import"}).content.decode()

    assert "<dt>Already imported</dt><dd>3<small>skipped</small>" in report(body)
    assert "Recomputed" not in report(body)
    assert Event.objects.filter(type="purchase.made").count() == 3


def test_a_file_that_is_not_a_purchase_list_is_refused_next_to_the_field(alice_client) -> None:
    response = alice_client.post("/import/purchases/", {
        "file": upload("name,phone\nDana,555\n"), "mode": "import"})

    assert response.status_code == 422
    error = response.content.decode().split('data-field="file"')[1].split("</div>")[0]
    assert "No date and no amount and no email or customer_id column" in error

    latin = SimpleUploadedFile("x.csv", "date,email,amount\n2026-01-01,é@x.com,1\n".encode(
        "latin-1"))
    body = alice_client.post("/import/purchases/", {"file": latin}).content.decode()
    assert "The file is not UTF-8 text" in body

    body = alice_client.post("/import/purchases/", {"mode": "import"}).content.decode()
    assert "This field is required." in body.split('data-field="file"')[1]
    assert not Event.objects.exists()


def test_a_member_gets_403(client, bob) -> None:
    client.force_login(bob)

    assert client.get("/import/purchases/").status_code == 403
    response = client.post("/import/purchases/", {"file": upload(GOOD_AND_BAD), "mode": "import"})
    assert response.status_code == 403 and not Event.objects.exists()


def test_charlies_import_cannot_reach_alices_contacts(charlie_client, contact) -> None:
    body = charlie_client.post("/import/purchases/", {
        "file": upload(f"date,contact_id,amount\n2026-01-05,{contact.pk},10\n"),
        "mode": "import"}).content.decode()

    assert f"no contact with id {contact.pk}" in report(body)
    assert not Event.objects.filter(contact=contact).exists()


def test_the_rejected_rows_keep_the_files_own_delimiter(alice_client, contact) -> None:
    european = ("Order Date;Customer E-mail;Total\n"
                "03/04/2026;dana@example.com;12,50\n"
                "17/04/2026;dana@example.com;lots\n")

    body = alice_client.post("/import/purchases/", {
        "file": upload(european), "mode": "dry_run"}).content.decode()

    link = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', body)
    assert base64.b64decode(link[1]).decode("utf-8-sig") == (
        "Order Date;Customer E-mail;Total\r\n17/04/2026;dana@example.com;lots\r\n")
    assert not Event.objects.exists()
