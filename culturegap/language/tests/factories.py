"""factory-boy factories for the playbook."""

import factory

from culturegap.language.models import (
    CommunicationStep,
    GlossaryTerm,
    Playbook,
    PlaybookStatus,
    ValueProposition,
    ValuePropositionAbout,
)
from culturegap.org.tests.factories import CompanyFactory


class PlaybookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Playbook

    company = factory.SubFactory(CompanyFactory)
    version = factory.Sequence(lambda n: n + 1)
    status = PlaybookStatus.PUBLISHED
    title = "Our customer conversation"
    summary = "The shared language of everyone who meets a customer."


class ValuePropositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValueProposition

    playbook = factory.SubFactory(PlaybookFactory)
    key = factory.Sequence(lambda n: f"proposition-{n}")
    about = ValuePropositionAbout.SERVICES
    title = factory.Sequence(lambda n: f"Proposition {n}")
    statement = "Our services fit together, so you tell us your story once."
    proof_points = factory.LazyFunction(lambda: ["One shared customer record"])


class GlossaryTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GlossaryTerm

    playbook = factory.SubFactory(PlaybookFactory)
    term = factory.Sequence(lambda n: f"Term {n}")
    definition = "A word everyone in the company uses the same way."


class CommunicationStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunicationStep

    playbook = factory.SubFactory(PlaybookFactory)
    key = factory.Sequence(lambda n: f"step-{n}")
    name = factory.Sequence(lambda n: f"Step {n}")
    purpose = "Why this part of the conversation matters."
    what_to_do = factory.LazyFunction(lambda: ["Use the customer's name", "Ask an open question"])
    crp_phrases = factory.LazyFunction(lambda: ["How can I help you today?"])
    sales_phrases = factory.LazyFunction(lambda: ["What brings you to us?"])
    observable_behaviour = "Greets the customer by name and asks an open question."
    order = factory.Sequence(lambda n: n)


def playbook_with_content(**fields) -> Playbook:
    """A playbook with one value proposition of each kind, three steps and three glossary
    terms: enough to exercise every section of the pages."""
    playbook = PlaybookFactory(**fields)
    ValuePropositionFactory(
        playbook=playbook,
        key="services-fit-together",
        about=ValuePropositionAbout.SERVICES,
        title="Our services fit together",
        statement="You tell us your story once and each service builds on what we know.",
        proof_points=["One shared customer record", "Customers using two or more services"],
        order=1,
    )
    ValuePropositionFactory(
        playbook=playbook,
        key="here-for-the-long-term",
        about=ValuePropositionAbout.COMPANY,
        title="Here for the long term",
        statement="We measure success by how long our customers stay.",
        proof_points=["Average relationship length in years"],
        order=2,
    )
    ValuePropositionFactory(
        playbook=playbook,
        key="someone-who-knows-you",
        about=ValuePropositionAbout.PEOPLE,
        title="Someone who knows you",
        statement="You deal with people who know your situation.",
        proof_points=["A named main contact on every letter"],
        order=3,
    )
    CommunicationStepFactory(
        playbook=playbook,
        key="open",
        name="Open the contact",
        purpose="Set a warm, focused start.",
        what_to_do=["Greet the customer by name", "Say what you can do for them"],
        crp_phrases=["Good morning Ms Patel, this is Cara from the service desk."],
        sales_phrases=["Thanks for making time today, Mr Okafor."],
        observable_behaviour="Uses the customer's name in the first sentence.",
        order=1,
    )
    CommunicationStepFactory(
        playbook=playbook,
        key="discover",
        name="Discover what matters",
        purpose="Learn the customer's situation in their own words.",
        what_to_do=["Ask open questions", "Summarise back what you heard"],
        crp_phrases=["What would make this year easier for you?"],
        sales_phrases=["Tell me how things have changed since we last spoke."],
        observable_behaviour="Asks at least two open questions before offering anything.",
        order=2,
    )
    CommunicationStepFactory(
        playbook=playbook,
        key="hand-over",
        name="Hand over to a colleague",
        purpose="Connect a need to the colleague who can serve it.",
        what_to_do=["Explain who will call and when", "Pass on the story in writing"],
        crp_phrases=["My colleague Sam looks after payroll; may I ask him to call you?"],
        sales_phrases=["Cara told me about your new office; how can we help?"],
        observable_behaviour="Names the colleague and agrees a time for the call.",
        order=3,
    )
    GlossaryTermFactory(
        playbook=playbook,
        term="Rapport",
        definition="The sense of ease and trust that makes an honest conversation possible.",
    )
    GlossaryTermFactory(
        playbook=playbook,
        term="Need signal",
        definition="Something a customer says that suggests a need we could serve.",
    )
    GlossaryTermFactory(
        playbook=playbook,
        term="Active listening",
        definition="Listening to understand rather than to reply.",
    )
    return playbook
