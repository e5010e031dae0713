"""The security log says which page a refused request asked for, in words; the raw
address stays beside it."""

from django.urls import URLPattern, URLResolver, get_resolver

from security.pages import PAGES, describe_path


def _names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace != "admin":
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_page_of_the_portal_has_words():
    missing = sorted(set(_names(get_resolver().url_patterns)) - set(PAGES))
    assert missing == [], f"add these URL names to security.pages.PAGES: {missing}"


def test_a_path_names_its_cycle_agency_and_standard(db):
    assert describe_path("/cycles/2023/agencies/004/scoring/2-3/") == (
        "2023 年度 · 代办处 004 · 标准 2-3 · 保存评分"
    )
    assert describe_path("/cycles/2023/agencies/004/documents/4/upload/") == (
        "2023 年度 · 代办处 004 · 资料 4 · 上传资料"
    )
    assert describe_path("/cycles/2023/rectification/") == "2023 年度 · 整改台账"
    assert describe_path("/security/events/") == "安全日志"
    assert describe_path("/admin/agencies/agency/") == "管理后台"
    assert describe_path("/no/such/page/") == "不存在的地址"


def test_a_refused_request_reads_as_the_page_it_asked_for(client_for):
    client_for("staff004").get("/cycles/2023/agencies/007/documents/")
    body = client_for("secauditor").get("/security/events/?kind=denied").content.decode()
    cell = body.split('class="text-break security-target">')[1].split("</td>")[0]
    assert cell.startswith("2023 年度 · 代办处 007 · 稽核前资料")
    assert (
        '<div class="text-secondary small security-path">GET /cycles/2023/agencies/007/documents/</div>'
        in cell
    )
