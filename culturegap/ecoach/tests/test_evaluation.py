"""Quality measured, not assumed: the evaluation set run against the starter pack."""

from culturegap.ecoach.evaluation import load_evaluation_set, retrieval_quality, routing
from culturegap.ecoach.index import current_index
from culturegap.ecoach.models import DEFAULT_CONFIDENCE_THRESHOLD
from culturegap.training.packs import STARTER_PACK, import_pack


def test_recall_at_3_on_the_starter_pack_is_at_least_0_8(company):
    result = import_pack(company=company, data=STARTER_PACK.read_bytes(), filename="starter.yaml")
    assert result.ok, result.errors
    index = current_index(company=company).index
    evaluation = load_evaluation_set()

    assert len(evaluation.questions) >= 60
    known = {passage.id for passage in index.passages}
    unknown = sorted({a for item in evaluation.questions for a in item.answers} - known)
    assert unknown == [], "the evaluation set names passages the starter pack does not have"

    quality = retrieval_quality(index, evaluation.questions, k=3)
    at_default = routing(index, evaluation, threshold=DEFAULT_CONFIDENCE_THRESHOLD)
    print(f"\neCoach on the starter pack ({len(index)} passages): {quality}")
    print(f"eCoach routing at the default {at_default}")
    for miss in quality.misses:
        print(f"  not in the top 3: {miss.question!r} → {miss.found}")
    assert quality.recall_at_k >= 0.8
    assert quality.mrr >= 0.6
    # The default threshold answers most questions it can and passes on most it cannot.
    assert at_default.answered >= 0.7
    assert at_default.routed_unanswerable >= 0.7
