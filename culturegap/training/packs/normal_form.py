"""The normal form of a valid content pack: every optional field filled in, in a fixed order."""

from culturegap.training.packs.schema import FORMAT


def normalise_pack(document: dict) -> dict:
    """A valid pack with every optional field filled in, fields in the documented order: the
    form ``export_pack`` produces, so two packs compare equal when they hold the same content."""
    pack = {
        "format": FORMAT,
        "key": document["key"],
        "title": document["title"],
        "description": document.get("description", ""),
    }
    if "playbook" in document:
        pack["playbook"] = normalise_playbook(document["playbook"])
    pack["curricula"] = [_normalise_curriculum(c) for c in document.get("curricula", [])]
    return pack


def normalise_playbook(playbook: dict) -> dict:
    return {
        "title": playbook["title"],
        "summary": playbook.get("summary", ""),
        "value_propositions": [
            {
                "key": item["key"],
                "about": item["about"],
                "title": item["title"],
                "statement": item["statement"],
                "proof_points": list(item.get("proof_points", [])),
            }
            for item in playbook.get("value_propositions", [])
        ],
        "glossary": [
            {"term": item["term"], "definition": item["definition"]}
            for item in playbook.get("glossary", [])
        ],
        "communication_model": [
            {
                "key": step["key"],
                "name": step["name"],
                "purpose": step["purpose"],
                "what_to_do": list(step.get("what_to_do", [])),
                "crp_phrases": list(step.get("crp_phrases", [])),
                "sales_phrases": list(step.get("sales_phrases", [])),
                "observable_behaviour": step["observable_behaviour"],
            }
            for step in playbook.get("communication_model", [])
        ],
    }


DEFAULT_PASS_MARK = 80


def _normalise_curriculum(curriculum: dict) -> dict:
    return {
        "key": curriculum["key"],
        "title": curriculum["title"],
        "description": curriculum.get("description", ""),
        "pass_mark": int(curriculum.get("pass_mark", DEFAULT_PASS_MARK)),
        "modules": [
            {
                "key": module["key"],
                "title": module["title"],
                "summary": module.get("summary", ""),
                "lessons": [_normalise_lesson(lesson) for lesson in module["lessons"]],
            }
            for module in curriculum["modules"]
        ],
    }


def _normalise_lesson(lesson: dict) -> dict:
    return {
        "key": lesson["key"],
        "title": lesson["title"],
        "objective": lesson["objective"],
        "minutes": int(lesson["minutes"]),
        "body": lesson["body"],
        "questions": [
            {
                "key": question["key"],
                "skill": question["skill"],
                "role": question["role"],
                "scenario": question["scenario"],
                "options": [
                    {
                        "text": option["text"],
                        "correct": option["correct"],
                        "feedback": option["feedback"],
                    }
                    for option in question["options"]
                ],
            }
            for question in lesson.get("questions", [])
        ],
    }
