"""Helpers for the 征求意见稿's tests."""

from procedure.models import DraftProblem

PROBLEMS = ("1-2", "2-3")


def reply(client, draft, answers, action="submit", opinion="总体同意", **files):
    """The agency's reply form as its staff send it: ``answers`` maps a standard's code to
    (opinion, explanation)."""
    data = {"action": action, "opinion": opinion, **files}
    for problem in draft.problems.all():
        opinion_value, explanation = answers.get(problem.standard.code, ("", ""))
        data[f"opinion-{problem.pk}"] = opinion_value
        data[f"explanation-{problem.pk}"] = explanation
    return client.post("/cycles/2023/agencies/004/draft-report/", data)


def problem_of(draft, code) -> DraftProblem:
    return next(p for p in draft.problems.all() if p.standard.code == code)
