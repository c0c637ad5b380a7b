"""The demo shop's outreach: a newsletter template and a segment, ready for the journey "build a
segment, preview, send to a local SMTP server, watch it go"."""

from followthrough.accounts.models import Workspace
from followthrough.outreach.models import EmailTemplate, Segment
from followthrough.outreach.services import segment_create, template_create

NEWSLETTER_HTML = """<h1>Winter riding at {{ workspace_name }}</h1>
<p>Hi {{ first_name }},</p>
<p>The days are short but the roads are quiet. Our <a href="https://spokechain.example/rides">
winter group-ride calendar</a> is out: easy Saturday loops, lights provided.</p>
<p>Since you are into {{ interests or "riding" }}, you may like our
<a href="https://spokechain.example/service-week">winter service week</a>: a full tune-up
while the weather is bad, so your bike is ready in spring.</p>
<p>See you on the road,<br>{{ owner_name or workspace_name }}</p>"""


def outreach_demo_setup(*, workspace: Workspace) -> tuple[EmailTemplate, Segment]:
    template = template_create(
        workspace=workspace,
        fields={
            "name": "Winter newsletter",
            "subject": "{{ first_name }}, the winter ride calendar is out",
            "body_html": NEWSLETTER_HTML,
            "body_text": "",
        },
    )
    segment = segment_create(
        workspace=workspace,
        name="Road riders (clients)",
        filters={"stages": ["client"], "tags": ["road cycling"]},
    )
    return template, segment
