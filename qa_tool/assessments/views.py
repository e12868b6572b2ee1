"""Assessment pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .access import get_assessment_for
from .selectors import assessment_result, responses_by_code


@login_required
def assessment_score(request, assessment_id: int):
    assessment = get_assessment_for(request.user, assessment_id)
    version = assessment.rubric_version
    responses = responses_by_code(assessment)
    result = assessment_result(assessment, responses)
    criteria = {c.code: c for c in version.criteria.select_related("domain")}
    domains = {d.code: d for d in version.domains.all()}
    domain_rows = [
        {
            "domain": domains[d.code],
            "result": d,
            "criteria": [
                {
                    "criterion": criteria[c.code],
                    "result": c,
                    "response": responses.get(c.code),
                    "level_label": version.level_label(c.value) if c.value is not None else "",
                }
                for c in d.criteria
            ],
        }
        for d in result.domains
    ]
    return render(
        request,
        "assessments/score.html",
        {
            "assessment": assessment,
            "version": version,
            "result": result,
            "domain_rows": domain_rows,
        },
    )
