"""The next-cycle part of `make bench` (issue 14): starting the next cycle from one of
5,000 agencies (four-digit codes beside the seed's three-digit ones), every agency with an
issued report to attach and two open problems to carry, through the page's own POST
(preview, then 创建). Target: under 30 s."""

import time

SIZE = 5000
TARGET_5000_S = 30.0


def _large_previous_cycle(manager):
    """Fill the latest cycle's roster up to SIZE agencies, each audit finalized with an
    issued report (a small PDF: attaching never reads it) and two open items."""
    from django.utils import timezone

    from agencies.models import Agency, Audit, AuditStatus
    from checklist.models import Standard
    from cycles.services import latest_cycle
    from rectification.models import RectificationItem
    from reports.models import IssuedReport

    cycle = latest_cycle()
    used = set(Agency.objects.values_list("code", flat=True))
    new = Agency.objects.bulk_create(
        (
            Agency(code=str(1000 + n), name=f"基准代办处{1000 + n}")
            for n in range(SIZE - len(used))
            if str(1000 + n) not in used
        ),
        batch_size=1000,
    )
    serial = cycle.audits.count()
    in_roster = set(cycle.audits.values_list("agency_id", flat=True))
    missing = [a for a in Agency.objects.all() if a.pk not in in_roster]
    Audit.objects.bulk_create(
        (
            Audit(cycle=cycle, agency=agency, serial=serial + n)
            for n, agency in enumerate(missing, start=1)
        ),
        batch_size=1000,
    )
    audits = list(cycle.audits.all())
    cycle.audits.update(status=AuditStatus.FINALIZED, total_score=85, grade="good")
    content = b"%PDF-1.4 bench"
    issued = set(IssuedReport.objects.values_list("audit_id", flat=True))
    IssuedReport.objects.bulk_create(
        (
            IssuedReport(
                audit=audit,
                version=1,
                number=f"基准{audit.pk}",
                content=content,
                sha256="0" * 64,
                size=len(content),
                issued_by=manager,
            )
            for audit in audits
            if audit.pk not in issued
        ),
        batch_size=500,
    )
    standards = list(Standard.objects.filter(category__cycle=cycle)[:2])
    RectificationItem.objects.bulk_create(
        (
            RectificationItem(
                audit=audit,
                standard=standard,
                result="non_compliant",
                finding="基准：问题",
                requirement="基准：整改",
                deadline=timezone.localdate(),
            )
            for audit in audits
            for standard in standards
        ),
        batch_size=500,
        ignore_conflicts=True,
    )
    return cycle, len(new)


def run(manager) -> bool:
    from django.test import Client

    from cycles.tests.helpers import form_data

    source, _created = _large_previous_cycle(manager)
    size = source.audits.count()
    client = Client()
    client.force_login(manager)
    started = time.perf_counter()
    data = form_data(source) | {"action": "preview"}
    preview = client.post("/cycles/new/", data)
    assert preview.status_code == 200, preview.status_code
    fingerprint = preview.content.decode().split('name="previewed" value="')[1].split('"')[0]
    preview_s = time.perf_counter() - started
    started = time.perf_counter()
    response = client.post("/cycles/new/", data | {"action": "create", "previewed": fingerprint})
    create_s = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    from reports.models import PreviousReport

    attached = PreviousReport.objects.filter(request__audit__cycle__previous=source).count()
    assert attached == size, (attached, size)
    total = preview_s + create_s
    ok = size >= SIZE and total <= TARGET_5000_S
    print(f"\nStarting the next cycle from {size} agencies ({attached} reports attached)")
    print(f"{'preview':<24}{preview_s:>8.2f} s")
    print(f"{'create':<24}{create_s:>8.2f} s")
    print(
        f"{'both':<24}{total:>8.2f} s  target < {TARGET_5000_S:.0f} s at {SIZE:,} agencies"
        f"  {'ok' if ok else 'SLOW'}"
    )
    return ok
