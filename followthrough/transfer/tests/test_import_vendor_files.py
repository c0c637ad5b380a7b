"""Real exports, written by hand in each vendor's format, map themselves and import the people
they hold: names, emails, phones in E.164, organization, title, tags and birthdays."""

from collections.abc import Callable

from followthrough.people.models import Contact, Stage
from followthrough.transfer.models import ImportJob, ImportStatus
from followthrough.transfer.tests.conftest import by_email, person

Run = Callable[..., ImportJob]


def test_it_imports_a_google_contacts_export(run_import: Run) -> None:
    job = run_import("google_contacts.csv")
    assert job.status == ImportStatus.IMPORTED
    assert person("dana.rider@example.com") == {
        "name": "Dana Rider",
        "emails": ["dana.rider@example.com", "dana@work.example"],
        "phones": ["+14155550101", "+14155550199"],
        "organization": "Spoke Velo Club",
        "title": "Treasurer",
        "tags": ["clients", "cycling"],
        "birthday": (1985, 4, 12),
    }
    sam = person("sam.okafor@example.org")
    assert sam["phones"] == ["+442079460958"]
    assert sam["tags"] == ["friends", "triathlon"]
    assert sam["birthday"] == (None, 7, 30)
    assert person("lee@example.net")["name"] == "lee"
    dana = by_email("dana.rider@example.com")
    assert (dana.street, dana.city, dana.region, dana.country) == (
        "12 Market St",
        "San Francisco",
        "CA",
        "US",
    )
    assert "swap meet" in dana.notes and "gravel" in dana.notes
    counts = job.summary
    assert (counts["created"], counts["merged"], counts["rejected"]) == (3, 1, 1)
    rejected = job.rejected_rows.get()
    assert rejected.number == 6
    assert rejected.reasons == [
        {"column": "E-mail 1 - Value", "message": "“not-an-email” is not a valid email address"}
    ]


def test_it_imports_the_newer_google_contacts_export(run_import: Run) -> None:
    run_import("google_contacts_new.csv")
    priya = person("priya@ramandental.example")
    assert priya["phones"] == ["+14155550105", "+14155550106"]
    assert priya["organization"] == "Raman Dental"
    assert priya["title"] == "Owner"
    assert priya["tags"] == ["clients"]
    tom = person("tom.becker@example.de")
    # A German number without +49 would not read in the US: the row's own country decides.
    assert tom["phones"] == ["+493012345678"]
    assert tom["birthday"] == (1978, 3, 12)


def test_it_imports_an_outlook_export_in_windows_1252(run_import: Run) -> None:
    job = run_import("outlook.csv")
    zoe = person("zoe.muller@caferouge.example")
    assert zoe["name"] == "Zoë Müller"
    assert zoe["organization"] == "Café Rouge"
    assert zoe["title"] == "Head Chef"  # the Job Title, not the "Ms." of Outlook's Title
    assert zoe["phones"] == ["+14155550110", "+14155550111"]
    assert zoe["tags"] == ["catering", "clients"]
    assert zoe["birthday"] == (1985, 4, 12)
    assert "“the usual” – every Friday" in by_email("zoe.muller@caferouge.example").notes
    assert by_email("zoe.muller@caferouge.example").street == "200 Valencia St"
    arjun = person("arjun@patelhardware.example")
    assert arjun["emails"] == ["arjun@patelhardware.example", "arjun.patel@example.com"]
    assert arjun["birthday"] is None  # Outlook's "0/0/00"
    reasons = {r.number: r.reasons for r in job.rejected_rows.all()}
    assert reasons[4][0]["column"] == "Mobile Phone"
    assert "not a valid phone number in US" in reasons[4][0]["message"]
    assert reasons[5][0]["column"] == "Birthday"
    assert "unknown date format" in reasons[5][0]["message"]
    assert not Contact.objects.filter(emails__email="casey@example.com").exists()


def test_it_imports_a_hubspot_export(run_import: Run, alice, bob) -> None:  # type: ignore[no-untyped-def]
    job = run_import("hubspot.csv")
    jordan = by_email("jordan.lee@northwind.example")
    assert (jordan.stage, jordan.external_id, jordan.owner) == (Stage.CLIENT, "1501", alice)
    assert person("jordan.lee@northwind.example")["organization"] == "Northwind Traders"
    morgan = by_email("morgan@contoso.example")
    assert (morgan.stage, morgan.owner, morgan.title) == (Stage.PROSPECT, bob, "CFO")
    assert [p.number for p in morgan.phones.all()] == ["+14155550121", "+14155550122"]
    alex = by_email("alex.kim@example.com")
    assert alex.owner == alice  # the importer, since "Jamie" is not a user here
    assert "Jamie Former-Employee" in alex.notes
    reasons = {r.number: r.reasons[0] for r in job.rejected_rows.all()}
    assert reasons[5]["column"] == "Lifecycle Stage"
    assert "unknown stage “Partner”" in reasons[5]["message"]
    assert reasons[6] == {"column": "name, email, phone", "message": "no name, email or phone"}


def test_it_imports_apple_google_outlook_and_v4_vcards(run_import: Run) -> None:
    run_import("apple.vcf")
    assert person("dana.rider@example.com") == {
        "name": "Dana Rider",
        "emails": ["dana.rider@example.com", "dana@work.example"],  # item1.EMAIL, item2.EMAIL
        "phones": ["+14155550101"],
        "organization": "Spoke Velo Club",
        "title": "Treasurer",
        "tags": ["clients", "cycling"],
        "birthday": (1985, 4, 12),
    }
    assert person("sam.okafor@example.org")["birthday"] == (None, 7, 30)
    run_import("google.vcf")
    assert "family membership" in by_email("priya.raman@example.com").notes  # folded line
    run_import("v4.vcf")
    assert person("morgan@contoso.example")["phones"] == ["+14155550121"]
    assert person("morgan@contoso.example")["birthday"] == (1988, 11, 9)


def test_it_reads_vcard_2_1_quoted_printable_and_folded_lines(run_import: Run) -> None:
    job = run_import("outlook21.vcf")
    assert job.summary["created"] == 2
    juergen = person("juergen@fahrrad-mueller.example")
    assert juergen["name"] == "Jürgen Müller"
    assert juergen["organization"] == "Fahrradladen Müller GmbH"  # a soft line break
    assert juergen["phones"] == ["+493012345679", "+493012345680"]
    assert juergen["birthday"] == (1970, 3, 15)
    notes = by_email("juergen@fahrrad-mueller.example").notes
    assert "Frühjahr" in notes and "Rennräder" in notes
    robin = by_email("robin.hale@example.com")
    assert robin.notes.endswith("folded after this word.")
    assert robin.country == "US"
