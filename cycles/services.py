"""The next year's cycle, started from the latest one.

A plan is what the manager sees on the preview page: the roster (last year's agencies in
serial order, edited or loaded from Excel), the required documents with the years in their
titles moved on, and the standards' texts. ``create_next_cycle`` makes all of it at once;
last year's cycle, audits, reports and rectification items are only read.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from agencies.models import AGENCY_CODE_PATTERN, Agency, Audit, Cycle, FundingMode, padded_code
from checklist.models import Category, Standard
from common.spreadsheets import DigitsCodeWidget, whole_number
from evidence.models import RequiredDocument
from reports.services import attach_previous_reports

# A year written before 年 (2022年, 2022 年度): the years a title names move with the cycle.
YEAR_IN_TEXT = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?=\s*年)")
MODES = {"直投": FundingMode.DIRECT, "非直投": FundingMode.INDIRECT}
MODE_NAMES = {value: name for name, value in MODES.items()}
ROSTER_MAX = 10_000

# What becomes of a standard or document whose text names a year (the preview asks for each).
MOVE, KEEP, DROP = "move", "keep", "drop"


class PlanError(Exception):
    """The plan cannot be carried out; the message says why in words."""


def shift_years(text: str, delta: int) -> str:
    """Move every year the text names (a year before 年) by ``delta``."""
    return YEAR_IN_TEXT.sub(lambda match: str(int(match.group(1)) + delta), text)


def names_a_year(text: str) -> bool:
    return YEAR_IN_TEXT.search(text) is not None


@dataclass
class RosterEntry:
    serial: int
    code: str
    name: str
    funding_mode: str
    agency: Agency | None  # None: a new agency, created with the cycle
    was_in_roster: bool = False

    @property
    def is_new_agency(self) -> bool:
        return self.agency is None

    @property
    def renamed_from(self) -> str:
        return self.agency.name if self.agency and self.agency.name != self.name else ""

    @property
    def mode_changed(self) -> bool:
        return self.agency is not None and self.agency.funding_mode != self.funding_mode

    @property
    def mode_name(self) -> str:
        return MODE_NAMES.get(self.funding_mode, "")


def with_year_choice(wording: str, previous: str, choice: str) -> str:
    """The text created for the new cycle: the form's wording (years already moved on),
    last year's text as written, or "" when the item is left out this year."""
    if choice == KEEP:
        return previous
    if choice == DROP:
        return ""
    return wording


@dataclass
class DocumentEntry:
    number: int
    title: str  # as created; "" when left out
    previous_title: str
    is_previous_report: bool = False
    year_choice: str = ""  # MOVE, KEEP or DROP when last year's title names a year
    short_name: str = ""

    @property
    def renamed(self) -> bool:
        return self.title != self.previous_title

    @property
    def label(self) -> str:
        return _("Document %(n)s") % {"n": self.number}

    @property
    def previous_text(self) -> str:
        return self.previous_title

    @property
    def text(self) -> str:
        return self.title

    @property
    def choice_field(self) -> str:
        return f"year_document_{self.number}"


@dataclass
class StandardEntry:
    standard: Standard  # last year's
    text: str  # as created; "" when left out
    year_choice: str = ""  # MOVE, KEEP or DROP when last year's text names a year

    @property
    def dropped(self) -> bool:
        return not self.text

    @property
    def changed(self) -> bool:
        return not self.dropped and self.text != self.standard.text

    @property
    def label(self) -> str:
        return _("Standard %(code)s") % {"code": self.standard.code}

    @property
    def previous_text(self) -> str:
        return self.standard.text

    @property
    def choice_field(self) -> str:
        return f"year_standard_{self.standard.pk}"


@dataclass
class NextCyclePlan:
    source: Cycle
    year: int
    title: str
    document_deadline: date | None
    self_assessment_deadline: date | None
    rectification_days: int
    report_number_format: str
    roster: list[RosterEntry] = field(default_factory=list)
    documents: list[DocumentEntry] = field(default_factory=list)
    standards: list[StandardEntry] = field(default_factory=list)
    removed: list[Agency] = field(default_factory=list)

    @property
    def added(self) -> list[RosterEntry]:
        return [entry for entry in self.roster if not entry.was_in_roster]

    @property
    def renamed_agencies(self) -> list[RosterEntry]:
        return [e for e in self.roster if e.renamed_from or e.mode_changed]

    @property
    def renamed_documents(self) -> list[DocumentEntry]:
        return [entry for entry in self.documents if entry.renamed]

    @property
    def dropped_documents(self) -> list[DocumentEntry]:
        return [entry for entry in self.documents if not entry.title]

    @property
    def changed_standards(self) -> list[StandardEntry]:
        return [entry for entry in self.standards if entry.changed]

    @property
    def dropped_standards(self) -> list[StandardEntry]:
        return [entry for entry in self.standards if entry.dropped]

    @property
    def kept_standards(self) -> list[StandardEntry]:
        return [entry for entry in self.standards if not entry.dropped]

    @property
    def naming_a_year(self) -> list[StandardEntry | DocumentEntry]:
        """Every standard, then every document, whose text last year named a year: the
        preview asks for each whether its years move on, it stays as written or is left out."""
        return [e for e in [*self.standards, *self.documents] if e.year_choice]

    def year_decisions(self) -> str:
        """The choices for the texts naming a year, one line each, for the security log."""
        words = {MOVE: _("year moved on"), KEEP: _("kept as written"), DROP: _("left out")}
        lines = []
        for entry in self.naming_a_year:
            line = f"{entry.label}：{words[entry.year_choice]}"
            if entry.year_choice != DROP and entry.text != entry.previous_text:
                line += f"（{entry.previous_text} → {entry.text}）"
            lines.append(line)
        return "\n".join(lines)


def latest_cycle() -> Cycle | None:
    return Cycle.objects.order_by("-year").first()


def _moved_date(value: date | None, years: int) -> date | None:
    if value is None:
        return None
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February into a common year
        return value.replace(year=value.year + years, day=28)


def last_roster(source: Cycle) -> list[Audit]:
    return list(source.audits.roster())


def default_values(source: Cycle, year: int | None = None) -> dict:
    """What the form starts with: next year, everything else moved on from ``source``."""
    year = year or source.year + 1
    delta = year - source.year
    return {
        "year": year,
        "title": source.title.replace(str(source.year), str(year)),
        "document_deadline": _moved_date(source.document_deadline, delta),
        "self_assessment_deadline": _moved_date(source.self_assessment_deadline, delta),
        "rectification_days": source.rectification_days,
        "report_number_format": source.report_number_format,
        "roster": roster_text(
            (audit.agency.code, audit.agency.name, audit.agency.funding_mode)
            for audit in last_roster(source)
        ),
        "documents": {
            document.number: shift_years(document.title, delta)
            for document in source.required_documents.order_by("number")
        },
        "standards": {
            standard.pk: shift_years(standard.text, delta)
            for standard in Standard.objects.for_cycle(source)
        },
    }


def roster_text(rows) -> str:
    """The roster as the form's text: one agency a line, "编码 名称 直投/非直投"."""
    lines = []
    for code, name, mode in rows:
        lines.append(" ".join(part for part in (code, name, MODE_NAMES.get(mode, "")) if part))
    return "\n".join(lines)


def parse_roster(text: str) -> tuple[list[tuple[str, str, str | None]], list[str]]:
    """(code, name, funding mode or None when not written) per line, and the errors, each
    naming its line."""
    rows, errors, seen = [], [], {}
    lines = text.splitlines()
    if len(lines) > ROSTER_MAX:
        return [], [_("A roster has at most %(n)s lines.") % {"n": ROSTER_MAX}]
    for number, line in enumerate(lines, start=1):
        parts = line.replace("，", " ").replace(",", " ").replace("、", " ").split()
        if not parts:
            continue
        code = padded_code(parts[0])
        if not re.fullmatch(AGENCY_CODE_PATTERN, code):
            errors.append(
                _("Line %(line)s: “%(code)s” is not an agency code (3 to 6 digits, such as 004).")
                % {"line": number, "code": parts[0][:20]}
            )
            continue
        mode = None
        if len(parts) > 1 and parts[-1] in MODES:
            mode = MODES[parts.pop()]
        name = " ".join(parts[1:])
        if len(name) > 100:
            errors.append(
                _("Line %(line)s: the name is longer than 100 characters.") % {"line": number}
            )
            continue
        if code in seen:
            errors.append(
                _("Line %(line)s: agency %(code)s is already on line %(first)s.")
                % {"line": number, "code": code, "first": seen[code]}
            )
            continue
        seen[code] = number
        rows.append((code, name, mode))
    if not rows and not errors:
        errors.append(_("The roster is empty: list at least one agency."))
    return rows, errors


def roster_from_xlsx(upload) -> str:
    """A roster spreadsheet (the columns of the agency import: 编码, 名称, 直投／非直投, and
    序号 if the rows are not in serial order) as the form's text; PlanError saying what is
    wrong otherwise."""
    from openpyxl import load_workbook

    if upload.size > 5 * 1024 * 1024:
        raise PlanError(_("The roster file is larger than 5 MB; a roster fits in far less."))
    try:
        sheet = load_workbook(upload, read_only=True, data_only=True).worksheets[0]
        # the header, at most ROSTER_MAX agencies, and one row more to tell a longer roster
        rows = list(sheet.iter_rows(values_only=True, max_row=ROSTER_MAX + 2))
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise PlanError(
            _(
                "This file could not be read as an Excel workbook (.xlsx); save it as .xlsx and try again."
            )
        ) from error
    if not rows:
        raise PlanError(_("The roster file is empty."))
    if len(rows) > ROSTER_MAX + 1:  # refused whole, never cut short
        raise PlanError(_("A roster has at most %(n)s lines.") % {"n": ROSTER_MAX})
    header = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    if "编码" not in header:
        raise PlanError(
            _(
                "The first row must name the columns: 编码 and 名称, and 直投／非直投 or 序号 if you have them."
            )
        )
    column = {
        name: header.index(name)
        for name in ("序号", "编码", "名称", "直投／非直投")
        if name in header
    }
    entries, errors = [], []
    widget = DigitsCodeWidget()
    for number, row in enumerate(rows[1:], start=2):
        cells = list(row) + [None] * len(header)

        def cell(name, cells=cells):
            return cells[column[name]] if name in column else None

        if all(value in (None, "") for value in cells):
            continue
        try:
            code = widget.clean(cell("编码"))
            serial = whole_number(cell("序号")) if "序号" in column else number
        except ValueError as error:
            errors.append(_("Row %(row)s: %(error)s") % {"row": number, "error": error})
            continue
        mode = str(cell("直投／非直投") or "").strip()
        name = str(cell("名称") or "").strip().replace("\n", " ")
        entries.append((serial, code, name, MODES.get(mode, "")))
    if errors:
        raise PlanError(" ".join(errors[:10]))
    entries.sort(key=lambda entry: entry[0])
    return roster_text((code, name, mode) for _serial, code, name, mode in entries)


def build_plan(source: Cycle, values: dict) -> tuple[NextCyclePlan, list[tuple[str | None, str]]]:
    """The plan for ``values`` (``NextCycleForm.values()``: a wording for every document and
    standard of ``source``, a choice for every text naming a year) and what is wrong with
    it, each as (the form field it belongs to or None, the message)."""
    rows, roster_errors = parse_roster(values["roster"])
    errors = list(roster_errors)
    known = {agency.code: agency for agency in Agency.objects.filter(code__in=[r[0] for r in rows])}
    last = last_roster(source)
    in_last = {audit.agency.code for audit in last}
    plan = NextCyclePlan(
        source=source,
        year=values["year"],
        title=values["title"],
        document_deadline=values["document_deadline"],
        self_assessment_deadline=values["self_assessment_deadline"],
        rectification_days=values["rectification_days"],
        report_number_format=values["report_number_format"],
    )
    for serial, (code, name, mode) in enumerate(rows, start=1):
        agency = known.get(code)
        if agency is None and not name:
            errors.append(
                _("Agency %(code)s is new to the portal: write its name after the code.")
                % {"code": code}
            )
            continue
        plan.roster.append(
            RosterEntry(
                serial=serial,
                code=code,
                name=name or agency.name,
                funding_mode=(agency.funding_mode if mode is None and agency else mode or ""),
                agency=agency,
                was_in_roster=code in in_last,
            )
        )
    listed = {entry.code for entry in plan.roster}
    plan.removed = [audit.agency for audit in last if audit.agency.code not in listed]
    choices = values["year_choices"]
    for document in source.required_documents.order_by("number"):
        wording = values["documents"][document.number].strip()
        choice = ""
        if names_a_year(document.title):
            choice = choices.get(f"year_document_{document.number}") or MOVE
        plan.documents.append(
            DocumentEntry(
                number=document.number,
                title=with_year_choice(wording, document.title, choice),
                previous_title=document.title,
                is_previous_report=document.is_previous_report,
                year_choice=choice,
                short_name=document.short_name,
            )
        )
    problems = []
    if not any(entry.title for entry in plan.documents) and plan.documents:
        problems.append(_("Keep at least one required document."))
    for standard in Standard.objects.for_cycle(source):
        wording = values["standards"][standard.pk].strip() or standard.text
        choice = ""
        if names_a_year(standard.text):
            choice = choices.get(f"year_standard_{standard.pk}") or MOVE
        plan.standards.append(
            StandardEntry(
                standard=standard,
                text=with_year_choice(wording, standard.text, choice),
                year_choice=choice,
            )
        )
    kept_categories = {entry.standard.category_id for entry in plan.kept_standards}
    for entry in plan.standards:
        category = entry.standard.category
        if category.pk not in kept_categories:
            kept_categories.add(category.pk)  # one message a category
            problems.append(
                _("Keep at least one standard of %(category)s.") % {"category": category.name}
            )
    return plan, [("roster", error) for error in errors] + [(None, p) for p in problems]


@transaction.atomic
def create_next_cycle(plan: NextCyclePlan, *, by) -> Cycle:
    """Create the cycle the plan describes, in one transaction: new agencies, the roster,
    the checklist (each standard remembering last year's), the documents, and last year's
    reports attached as 前次稽核报告."""
    source = Cycle.objects.select_for_update().get(pk=plan.source.pk)
    if Cycle.objects.filter(year=plan.year).exists():
        raise PlanError(_("The %(year)s cycle already exists.") % {"year": plan.year})
    if hasattr(source, "next") or latest_cycle().pk != source.pk:
        raise PlanError(
            _("A later cycle was created from %(year)s meanwhile; reload this page.")
            % {"year": source.year}
        )
    try:
        with transaction.atomic():
            cycle = Cycle.objects.create(
                year=plan.year,
                title=plan.title,
                document_deadline=plan.document_deadline,
                self_assessment_deadline=plan.self_assessment_deadline,
                rectification_days=plan.rectification_days,
                rectification_remind_days=source.rectification_remind_days,
                grade_excellent_min=source.grade_excellent_min,
                grade_good_min=source.grade_good_min,
                grade_pass_min=source.grade_pass_min,
                report_number_format=plan.report_number_format,
                # the formal procedure as the office set it last year
                **{
                    name: getattr(source, name)
                    for name in Cycle.PROCEDURE_SETTINGS + Cycle.ARCHIVE_SETTINGS
                },
                previous=source,
            )
    except IntegrityError as error:  # the same year created by someone else this instant
        raise PlanError(_("The %(year)s cycle already exists.") % {"year": plan.year}) from error
    new = Agency.objects.bulk_create(
        [
            Agency(code=entry.code, name=entry.name, funding_mode=entry.funding_mode)
            for entry in plan.roster
            if entry.agency is None
        ],
        batch_size=500,
    )
    agency_of = {agency.code: agency for agency in new}
    changed = []
    for entry in plan.roster:
        if entry.agency is not None:
            if entry.renamed_from or entry.mode_changed or not entry.agency.is_active:
                entry.agency.name, entry.agency.funding_mode = entry.name, entry.funding_mode
                entry.agency.is_active = True
                changed.append(entry.agency)
            agency_of[entry.code] = entry.agency
    Agency.objects.bulk_update(changed, ["name", "funding_mode", "is_active"], batch_size=500)
    Audit.objects.bulk_create(
        [
            Audit(cycle=cycle, agency=agency_of[entry.code], serial=entry.serial)
            for entry in plan.roster
        ],
        batch_size=500,
    )
    categories, numbers = {}, Counter()
    standards = []
    for entry in plan.kept_standards:  # a standard left out: those after it move up
        old = entry.standard.category
        if old.pk not in categories:
            categories[old.pk] = Category.objects.create(
                cycle=cycle, position=old.position, name=old.name
            )
        numbers[old.pk] += 1
        standards.append(
            Standard(
                category=categories[old.pk],
                number=numbers[old.pk],
                text=entry.text,
                max_points=entry.standard.max_points,
                is_veto=entry.standard.is_veto,
                applies_to=entry.standard.applies_to,
                previous=entry.standard,
            )
        )
    Standard.objects.bulk_create(standards)
    kept = [entry for entry in plan.documents if entry.title]
    RequiredDocument.objects.bulk_create(
        [
            RequiredDocument(
                cycle=cycle,
                number=number,
                title=entry.title,
                short_name=entry.short_name,
                is_previous_report=entry.is_previous_report,
            )
            for number, entry in enumerate(kept, start=1)
        ]
    )
    attach_previous_reports(cycle)
    return cycle
