from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from . import chapters, pdf


@require_safe
@login_required
def help_index(request: HttpRequest) -> HttpResponse:
    """操作手册: the chapters, the signed-in person's own first."""
    own = chapters.BY_ROLE.get(request.user.role)
    listed = [
        (chapter, chapters.for_page(chapter))
        for chapter in sorted(chapters.CHAPTERS, key=lambda c: (c != own, c != chapters.BASICS))
    ]
    return render(request, "manual/index.html", {"chapters": listed, "own": own})


@require_safe
@login_required
def help_chapter(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = chapters.BY_SLUG.get(slug)
    if chapter is None:
        raise Http404
    return render(
        request,
        "manual/chapter.html",
        {
            "chapter": chapter,
            "rendered": chapters.for_page(chapter),
            "others": [
                (other, chapters.for_page(other).title)
                for other in chapters.CHAPTERS
                if other != chapter
            ],
        },
    )


@require_safe
@login_required
def manual_pdf(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(pdf.pdf(), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, "稽核管理平台操作手册.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response
