"""Small content packs for the pack tests: a valid one to start from, and its file forms."""

import copy
import json

import yaml


def small_pack() -> dict:
    """A valid pack in normal form: a playbook with two steps, one curriculum of two modules,
    three lessons and four questions."""
    return copy.deepcopy(_SMALL)


def as_yaml(pack: dict) -> bytes:
    return yaml.safe_dump(pack, allow_unicode=True, sort_keys=False).encode("utf-8")


def as_json(pack: dict) -> bytes:
    return json.dumps(pack, ensure_ascii=False, indent=2).encode("utf-8")


def _question(key, skill, role, right="Ask what happened"):
    return {
        "key": key,
        "skill": skill,
        "role": role,
        "scenario": f"A customer calls the {role} desk about an invoice ({key}).",
        "options": [
            {"text": "Offer a discount", "correct": False, "feedback": "Too early."},
            {"text": right, "correct": True, "feedback": "An open question lets them explain."},
            {"text": "Transfer the call", "correct": False, "feedback": "Nobody owns it then."},
        ],
    }


_SMALL = {
    "format": "culturegap-pack/1",
    "key": "small",
    "title": "A small pack",
    "description": "For tests.",
    "playbook": {
        "title": "Our conversation",
        "summary": "Two steps.",
        "value_propositions": [
            {
                "key": "fit-together",
                "about": "services",
                "title": "Our services fit together",
                "statement": "You tell us your story once.",
                "proof_points": ["One shared record"],
            }
        ],
        "glossary": [{"term": "CRP", "definition": "Anyone who meets customers but is not sales."}],
        "communication_model": [
            {
                "key": "open",
                "name": "Open",
                "purpose": "Start well.",
                "what_to_do": ["Greet by name"],
                "crp_phrases": ["Good morning, Mrs Hughes."],
                "sales_phrases": ["Thanks for making the time."],
                "observable_behaviour": "Uses the customer's name.",
            },
            {
                "key": "discover",
                "name": "Discover",
                "purpose": "Understand the need.",
                "what_to_do": [],
                "crp_phrases": [],
                "sales_phrases": [],
                "observable_behaviour": "Asks an open question.",
            },
        ],
    },
    "curricula": [
        {
            "key": "basics",
            "title": "Basics",
            "description": "",
            "pass_mark": 75,
            "modules": [
                {
                    "key": "m1",
                    "title": "Module one",
                    "summary": "",
                    "lessons": [
                        {
                            "key": "l1",
                            "title": "Lesson one",
                            "objective": "Greet by name.",
                            "minutes": 3,
                            "body": "## Why\nA name makes a customer feel known.\n",
                            "questions": [
                                _question("q1", "open", "service"),
                                _question("q2", "open", "professional"),
                            ],
                        },
                        {
                            "key": "l2",
                            "title": "Lesson two",
                            "objective": "Ask an open question.",
                            "minutes": 4,
                            "body": "Open questions start with *what* or *how*.",
                            "questions": [_question("q3", "discover", "sales")],
                        },
                    ],
                },
                {
                    "key": "m2",
                    "title": "Module two",
                    "summary": "The second module.",
                    "lessons": [
                        {
                            "key": "l3",
                            "title": "Lesson three",
                            "objective": "Summarise back.",
                            "minutes": 2,
                            "body": "Say it back in your own words.",
                            "questions": [_question("q4", "discover", "service")],
                        }
                    ],
                },
            ],
        }
    ],
}
