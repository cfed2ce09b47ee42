"""The record extractors (meetings, personnel, votes, provisions, citations).

Most cases cut a document out of a sample gazette by its line numbers (the
numbers of /work/shared/gazette-structure.md) so that the extractors are
tested on real print; small synthetic texts cover the patterns the samples
print only once. The last tests run the whole parser end to end.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from records.parsing.extract import Extracted, extract_records
from records.parsing.lines import DocumentSource, Line, split_lines
from records.parsing.meetings import meeting_mentions, name_row
from records.parsing.personnel import expand_post, split_posts
from records.parsing.types import Category, Document, GazetteInfo, MeetingRef

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "records" / "fixtures" / "gazettes"
ANYANG = SAMPLES / "anyang-congress-2021-03.txt"
YK21 = SAMPLES / "yingkou-congress-2021-03.txt"
YK24 = SAMPLES / "yingkou-congress-2024-01.txt"
HULUDAO = SAMPLES / "huludao-government-2020-02.txt"

ANYANG_INFO = GazetteInfo("安阳市人民代表大会常务委员会", "安阳市", "congress", 2021, 3, 205)
YINGKOU_INFO = GazetteInfo("营口市人民代表大会常务委员会", "营口市", "congress", 2021, 3, 31)
HULUDAO_INFO = GazetteInfo("葫芦岛市人民政府", "葫芦岛市", "government", 2020, 2, 63)

SC = "standing_committee"

_LINES: dict[Path, list[Line]] = {}


def _lines(path: Path) -> list[Line]:
    if path not in _LINES:
        _LINES[path] = split_lines(path.read_text(encoding="utf-8"))
    return _LINES[path]


def doc_from_lines(
    path: Path,
    first: int,
    last: int,
    title: str,
    category: Category,
    index: int,
    *,
    title_lines: int = 1,
) -> DocumentSource:
    """A document made of lines first..last (1-based, inclusive) of a sample.

    The title block is its first ``title_lines`` non-blank lines; the body
    starts after them (anchor lines are sorted out by the extractors).
    """
    lines = tuple(_lines(path)[first - 1 : last])
    seen = 0
    body_start = len(lines)
    for position, line in enumerate(lines):
        if line.text:
            seen += 1
            if seen > title_lines:
                body_start = position
                break
    return DocumentSource(Document(index=index, title=title, category=category), lines, body_start)


def doc_from_text(text: str, title: str, category: Category, index: int, first_line: int = 1) -> DocumentSource:
    """A synthetic document: its first line is the title."""
    lines = tuple(
        Line(first_line + n, line.raw, line.text) for n, line in enumerate(split_lines(text))
    )
    return DocumentSource(Document(index=index, title=title, category=category), lines, 1)


def run(*sources: DocumentSource, info: GazetteInfo = ANYANG_INFO) -> Extracted:
    return extract_records(list(sources), info)


def decisions(extracted: Extracted) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(d.person, d.action, d.positions) for d in extracted.personnel_decisions}


def codes(extracted: Extracted) -> list[str]:
    return [w.code for w in extracted.warnings]


# --- sample documents ------------------------------------------------------------------


def anyang_minutes_22(index: int = 1) -> DocumentSource:
    return doc_from_lines(ANYANG, 78, 88, "安阳市人大常委会会议纪要", "minutes", index)


def anyang_minutes_25(index: int = 1) -> DocumentSource:
    return doc_from_lines(ANYANG, 967, 985, "安阳市人大常委会会议纪要", "minutes", index)


# --- meetings ------------------------------------------------------------------------------


def test_minutes_give_date_agenda_and_declared_count() -> None:
    out = run(anyang_minutes_22())
    (meeting,) = out.meetings
    assert meeting.ref == MeetingRef(SC, 14, 22)
    assert meeting.date == dt.date(2021, 7, 3)
    assert meeting.declared_present == 39
    assert meeting.agenda == (
        "经审议，表决通过了人事任命提请（任命名单另发）",
        "经审议，表决通过了《安阳市人大常委会关于接受袁家健辞去市人民政府市长职务的决定》",
    )
    assert out.document_meetings == {1: MeetingRef(SC, 14, 22)}


def test_minutes_items_keep_only_the_item_sentence() -> None:
    doc = doc_from_lines(ANYANG, 293, 309, "安阳市人大常委会会议纪要", "minutes", 1)
    (meeting,) = run(doc).meetings
    assert len(meeting.agenda) == 4
    assert meeting.agenda[1].endswith("同意该议案结案")  # 会议认为… dropped
    assert not any("会议要求" in item or "会议认为" in item for item in meeting.agenda)
    assert meeting.agenda[3].startswith("审议通过《安阳市人大常委会关于实施民生实事项目")


def test_padded_grid_names_and_count_mismatch_warning() -> None:
    minutes = anyang_minutes_22()
    grid = doc_from_lines(
        ANYANG, 174, 181, "市十四届人大常委会第二十二次会议出席人员名单", "name_list", 2
    )
    out = run(minutes, grid)
    (meeting,) = out.meetings
    names = [p.name for p in meeting.present]
    assert len(names) == 39 and "attendance_count_mismatch" not in codes(out)
    assert names[:3] == ["徐家平", "张保香", "张玲"]  # 张 玲 padded in print
    assert "元浩" in names and "韩啸" in names and "" not in names

    # Drop the last grid row: 39 declared, 34 listed.
    short = doc_from_lines(ANYANG, 174, 180, "市十四届人大常委会第二十二次会议出席人员名单", "name_list", 2)
    out = run(minutes, short)
    warning = next(w for w in out.warnings if w.code == "attendance_count_mismatch")
    assert warning.line == 82


def test_attendance_annex_with_space_separated_leave_list() -> None:
    out = run(doc_from_lines(YK21, 95, 139, "营口市第十六届人民代表大会常务委员会第三十四次会议纪要", "minutes", 1), info=YINGKOU_INFO)
    (meeting,) = out.meetings
    assert meeting.ref == MeetingRef(SC, 16, 34)
    assert meeting.date == dt.date(2021, 6, 10)  # 市十六届人大常委会召开第三十四次会议
    assert len(meeting.present) == 38 and meeting.declared_present == 38
    assert [p.name for p in meeting.on_leave] == ["胡传新", "李红"]
    assert meeting.attending == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("胡传新 李 红", [("胡传新", None)]),
        ("张 玲\t程利军\t\t\t", [("张玲", None), ("程利军", None)]),
        ("薛崇林\t市政府副市长", [("薛崇林", "市政府副市长")]),
        ("陈志伟\t市委常委、市政府常务副市长", [("陈志伟", "市委常委、市政府常务副市长")]),
        ("车轲轶(女,满族)\t孔德伟\t白洁(女)", [("车轲轶", None), ("孔德伟", None), ("白洁", None)]),
        ("市人大常委会主任徐家平在会议结束时作了总结讲话。", None),
        ("张三、李四、王 五。", [("张三", None), ("李四", None), ("王五", None)]),
        ("报 告\t满 意\t基本满意\t不 满 意", None),
    ],
)
def test_name_rows(text: str, expected: list[tuple[str, str | None]] | None) -> None:
    people = name_row(text, 1)
    if expected is None:
        assert people is None
        return
    assert people is not None
    assert [(p.name, p.title) for p in people][: len(expected)] == expected
    if text.startswith("胡传新"):
        assert [p.name for p in people] == ["胡传新", "李红"]


def test_annotations_become_fields() -> None:
    (person,) = name_row("车轲轶（女，满族）", 7) or []
    assert (person.name, person.gender, person.ethnicity, person.line) == ("车轲轶", "女", "满族", 7)
    (person,) = name_row("高洪涛(兼)", 8) or []
    assert (person.name, person.note) == ("高洪涛", "兼")


def test_attending_list_with_titles() -> None:
    minutes = doc_from_lines(ANYANG, 293, 309, "安阳市人大常委会会议纪要", "minutes", 1)
    attending = doc_from_lines(ANYANG, 958, 965, "市十四届人大常委会第二十四次会议列席人员名单", "name_list", 2)
    (meeting,) = run(minutes, attending).meetings
    assert [p.name for p in meeting.attending] == ["薛崇林", "王明服", "曹更生", "常凤琳", "王现波", "马红宾"]
    assert meeting.attending[0].title == "市政府副市长"
    assert meeting.present == ()


def test_plenary_name_lists_declared_counts_and_sub_sittings() -> None:
    convening = doc_from_lines(
        ANYANG, 216, 223, "安阳市人民代表大会常务委员会关于召开安阳市第十四届人民代表大会第五次会议的决定", "decision", 1, title_lines=3
    )
    presidium = doc_from_lines(
        ANYANG, 225, 250, "安阳市第十四届人民代表大会第五次会议主席团和秘书长名单", "name_list", 2
    )
    out = run(convening, presidium)
    session = next(m for m in out.meetings if m.ref == MeetingRef("congress", 14, 5))
    # The 预备会议 that adopted the list belongs to the session; the date comes
    # from the convening decision (于2021年7月31日…举行), not from the 预备会议.
    assert session.date == dt.date(2021, 7, 31)
    assert session.agenda == ("选举事项",)
    kinds = {n.kind: n for n in session.name_lists}
    assert kinds["presidium"].declared_count == 69 and len(kinds["presidium"].members) == 69
    assert [p.name for p in kinds["secretary_general"].members] == ["张保香"]
    assert kinds["secretary_general"].members[0].note == "兼"
    assert "name_list_count_mismatch" not in codes(out)
    assert out.document_meetings[1] == MeetingRef(SC, 14, 23)  # adopted at the 23rd


def test_name_list_count_mismatch_is_reported() -> None:
    doc = doc_from_text(
        "某某会议主席团名单\n\n(2021年7月30日安阳市第十四届人民代表大会第五次会议预备会议通过)\n\n主席团(5名,按姓氏笔画排列)\n\n丁琦\t马宝红(女)\t王朴\t王辉",
        "安阳市第十四届人民代表大会第五次会议主席团名单",
        "name_list",
        1,
        first_line=100,
    )
    out = run(doc)
    warning = next(w for w in out.warnings if w.code == "name_list_count_mismatch")
    assert warning.line == 104
    assert out.meetings[0].name_lists[0].declared_count == 5


def test_yingkou_plenary_lists() -> None:
    sources = [
        doc_from_lines(YK24, 504, 524, "营口市第十七届人民代表大会第三次会议主席团和秘书长名单", "name_list", 1),
        doc_from_lines(YK24, 533, 553, "营口市第十七届人民代表大会第三次会议执行主席名单", "name_list", 2),
        doc_from_lines(YK24, 555, 560, "营口市第十七届人民代表大会第三次会议副秘书长名单", "name_list", 3),
    ]
    (meeting,) = run(*sources, info=YINGKOU_INFO).meetings
    assert meeting.ref == MeetingRef("congress", 17, 3)
    lists = [(n.kind, len(n.members)) for n in meeting.name_lists]
    assert lists == [
        ("presidium", 54),
        ("secretary_general", 1),
        ("executive_chairs", 11),
        ("executive_chairs", 11),
        ("executive_chairs", 12),
        ("deputy_secretaries_general", 10),
    ]
    members = {p.name: p for n in meeting.name_lists for p in n.members}
    assert members["李洪兵"].ethnicity == "达斡尔族" and members["高娜"].gender == "女"


def test_agenda_document_items() -> None:
    agenda = doc_from_lines(YK21, 141, 163, "营口市第十六届人民代表大会常务委员会第三十四次会议议程", "agenda", 1)
    (meeting,) = run(agenda, info=YINGKOU_INFO).meetings
    assert len(meeting.agenda) == 11
    assert meeting.agenda[0].startswith("听取和审议市政府关于我市义务教育工作情况的报告")
    assert meeting.agenda[-1] == "人事任免事项"
    single = doc_from_text(
        "营口市第十七届人民代表大会常务委员会 第十九次会议议程\n\n补选省人大代表。",
        "营口市第十七届人民代表大会常务委员会第十九次会议议程",
        "agenda",
        1,
    )
    (meeting,) = run(single, info=YINGKOU_INFO).meetings
    assert meeting.agenda == ("补选省人大代表",)


def test_misnumbered_subtitle_joins_the_real_meeting() -> None:
    minutes = doc_from_lines(YK21, 95, 139, "营口市第十六届人民代表大会常务委员会第三十四次会议纪要", "minutes", 1)
    survey = doc_from_lines(YK21, 477, 524, "营口市人大农业与农村委员会关于我市产业扶贫工作情况的调查报告", "report", 2)
    out = run(minutes, survey, info=YINGKOU_INFO)
    assert [m.ref.number for m in out.meetings] == [34]
    assert out.document_meetings[2] == MeetingRef(SC, 16, 34)
    assert "meeting_number_conflict" in codes(out)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("安阳市第十四届人大常委会第二十二次会议于", [(SC, 14, 22, "")]),
        ("市十四届人大五次会议", [("congress", 14, 5, "")]),
        ("市十六届人大常委会召开第三十四次会议", [(SC, 16, 34, "")]),
        ("营口市第十七届人民代表大会第三次会议主席团第一次会议通过", [("congress", 17, 3, "主席团第一次会议")]),
        ("省第十三届人大常委会第二十六次会议", []),
        ("殷都区第十届人民代表大会常务委员会第五次会议", []),
        ("市政府第35次常务会议", []),
    ],
)
def test_meeting_mentions(text: str, expected: list[tuple[str, int, int, str]]) -> None:
    found = meeting_mentions(text, "安阳市")
    assert [(m.ref.body, m.ref.term, m.ref.number, m.sub_meeting) for m in found] == expected


def test_other_bodies_are_not_meetings() -> None:
    doc = doc_from_text(
        "关于某事的通知\n\n2021年7月30日省第十三届人大常委会第二十六次会议通过了条例。",
        "关于某事的通知",
        "notice",
        1,
    )
    assert run(doc).meetings == ()


def test_chinese_numeral_dates_and_prose_attendance() -> None:
    text = (
        "某市人大常委会会议纪要\n\n（市十四届人大常委会第三十次会议）\n\n"
        "二〇二二年三月一日，市十四届人大常委会召开第三十次会议。常委会组成人员应到35人，实到3人。\n\n"
        "出席会议的有：张三、李四、王 五\n\n"
        "1.审议通过了关于某某的决定。会议认为，这很重要。\n\n"
        "2.经市十四届人大常委会第12次主任会议研究，审议了某某报告。"
    )
    out = run(doc_from_text(text, "某市人大常委会会议纪要", "minutes", 1))
    (meeting,) = out.meetings  # the 主任会议 is not a meeting of the committee
    assert meeting.ref == MeetingRef(SC, 14, 30)
    assert meeting.date == dt.date(2022, 3, 1)
    assert [p.name for p in meeting.present] == ["张三", "李四", "王五"]
    assert meeting.declared_present == 3
    assert meeting.agenda[0] == "审议通过了关于某某的决定"
    assert "attendance_count_mismatch" not in codes(out)


def test_government_notices_citing_congress_meetings_make_no_meeting() -> None:
    text = "关于印发某某办法的通知\n\n根据市十四届人大常委会第二十次会议审议通过的《某某条例》，现将办法印发给你们。"
    doc = doc_from_text(text, "关于印发某某办法的通知", "notice", 1)
    assert run(doc, info=HULUDAO_INFO).meetings == ()
    assert run(doc).meetings == ()  # 通过的《…》 cites an earlier act


# --- personnel -----------------------------------------------------------------------------


def test_decision_and_notice_are_one_decision() -> None:
    minutes = anyang_minutes_22(1)
    motion = doc_from_lines(ANYANG, 90, 104, "安阳市人民政府关于提请任命高永职务的议案", "motion", 2, title_lines=2)
    decision = doc_from_lines(
        ANYANG, 116, 122, "安阳市人民代表大会常务委员会关于决定任命高永为安阳市人民政府代理市长职务的决定", "decision", 3, title_lines=3
    )
    notice = doc_from_lines(ANYANG, 124, 133, "关于高永等职务任免的通知", "notice", 4)
    out = run(minutes, motion, decision, notice)
    (decision_record,) = out.personnel_decisions
    assert decision_record.person == "高永" and decision_record.action == "appoint"
    assert decision_record.positions == ("安阳市人民政府副市长", "安阳市人民政府代理市长")
    assert decision_record.documents == (3, 4)  # the motion proposes, it decides nothing
    assert decision_record.meeting == MeetingRef(SC, 14, 22)
    assert decision_record.date == dt.date(2021, 7, 3)


def test_proposals_alone_give_no_decision() -> None:
    motion = doc_from_lines(ANYANG, 1825, 1853, "安阳市人民政府关于提请任免常景斌等同志职务的议案", "motion", 1, title_lines=2)
    procuratorate = doc_from_lines(ANYANG, 1885, 1913, "安阳市人民检察院关于提请任免杨兆江等5名同志职务的议案", "motion", 2, title_lines=2)
    assert run(motion, procuratorate).personnel_decisions == ()
    # The same list under 现提请： inside a document classed otherwise.
    text = "关于某某的报告\n\n现提请：\n\n常景斌同志任安阳市民族宗教事务局局长；\n免去田海涛同志安阳市人民政府副市长职务。"
    assert run(doc_from_text(text, "关于某某的报告", "other", 1)).personnel_decisions == ()
    # A proposal list ends with the text after it; decisions printed later still count.
    text = (
        "某某会议纪要\n\n会议建议：\n\n批准辞去：\n\n杨兆江安阳市内黄县人民检察院检察长职务。\n\n"
        "以上建议请有关方面研究。\n\n会议决定任命张三为安阳市某局局长。"
    )
    found = decisions(run(doc_from_text(text, "某某会议纪要", "minutes", 1)))
    assert found == {("张三", "appoint", ("安阳市某局局长",))}


def test_glued_names_and_header_at_end_of_intro() -> None:
    notice = doc_from_lines(ANYANG, 1855, 1883, "关于常景斌等职务任免的通知", "notice", 1)
    out = run(anyang_minutes_25(2), notice)
    found = decisions(out)
    assert ("常景斌", "appoint", ("安阳市民族宗教事务局局长",)) in found
    assert ("田海涛", "remove", ("安阳市人民政府副市长",)) in found
    assert ("王福生", "remove", ("安阳市政务服务和大数据管理局局长",)) in found
    assert len(found) == 16
    assert {d.date for d in out.personnel_decisions} == {dt.date(2021, 9, 22)}


def test_two_per_line_and_approval_headers() -> None:
    notice = doc_from_lines(ANYANG, 1915, 1939, "关于免去杨兆江等职务的通知", "notice", 1)
    found = decisions(run(anyang_minutes_25(2), notice))
    assert found == {
        ("杨兆江", "approve_appointment", ("安阳市殷都区人民检察院检察长",)),
        ("焦琰", "approve_appointment", ("安阳市内黄县人民检察院检察长",)),
        ("杨兆江", "approve_resignation", ("安阳市内黄县人民检察院检察长",)),
        ("赵保钢", "remove", ("安阳市人民检察院检察员",)),
        ("吴学军", "remove", ("安阳市人民检察院检察员",)),
        ("尹国平", "remove", ("安阳市人民检察院检察员",)),
    }
    # Two appointments on one line, separated by ；
    text = "关于某某的通知\n\n市人民检察院：\n\n2021年9月22日，安阳市第十四届人民代表大会常务委员会第二十五次会议批准任命：\n\n杨兆江为安阳市殷都区人民检察院检察长；焦琰为安阳市内黄县人民检察院检察长；"
    found = decisions(run(doc_from_text(text, "关于某某的通知", "notice", 1)))
    assert {d[0] for d in found} == {"杨兆江", "焦琰"}


def test_resignation_accepted_with_abbreviated_post_expanded() -> None:
    decision = doc_from_lines(
        ANYANG, 1818, 1823, "安阳市第十四届人民代表大会常务委员会关于接受李长奉辞去安阳市人民代表大会常务委员会委员、市人大法制委员会主任委员职务的决定", "decision", 1
    )
    (record,) = run(decision).personnel_decisions
    assert record.action == "accept_resignation"
    assert record.positions == ("安阳市人民代表大会常务委员会委员", "安阳市人民代表大会法制委员会主任委员")
    assert record.meeting == MeetingRef(SC, 14, 25)


def test_notice_date_contradicting_the_meeting_is_reported() -> None:
    notice = doc_from_lines(ANYANG, 1781, 1789, "关于免去李长奉同志职务的通知", "notice", 2)
    out = run(anyang_minutes_25(1), notice)
    (record,) = out.personnel_decisions
    assert (record.person, record.action) == ("李长奉", "remove")
    assert record.positions == ("安阳市人大常委会法制工作委员会主任",)  # printed with the region: kept
    assert record.date == dt.date(2021, 9, 22)  # the meeting's, not the notice's 9-23
    warning = next(w for w in out.warnings if w.code == "personnel_date_conflict")
    assert warning.line == 1785


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # 根据 must not be read as a name; the sentence cites a proposal.
        (
            "根据安阳市监察委员会主任黄明海关于免去桑建业安阳市监察委员会副主任职务的提请。",
            set(),
        ),
        # Proposals in running text (建议/拟) decide nothing.
        ("经研究，建议任命张三为安阳市某局局长。", set()),
        ("市政府拟免去李四的安阳市某局局长职务。", set()),
        # A decision quoted inside a title is not a decision.
        (
            "根据《关于提请免去桑建业安阳市监察委员会副主任职务的议案》，经审议通过。免去：\n\n桑建业安阳市监察委员会副主任职务。",
            {("桑建业", "remove", ("安阳市监察委员会副主任",))},
        ),
        (
            "一、决定任命王正刚同志为安阳市人民政府副市长；\n六、决定免去郑孝刚同志的安阳市人民政府副市长职务；",
            {
                ("王正刚", "appoint", ("安阳市人民政府副市长",)),
                ("郑孝刚", "remove", ("安阳市人民政府副市长",)),
            },
        ),
        (
            "审议并表决通过了有关人事任免事项，任命郑孝刚为市政府副市长。",
            {("郑孝刚", "appoint", ("安阳市人民政府副市长",))},
        ),
        (
            "营口市第十七届人民代表大会第三次会议于2024年1月11日选举(按姓名笔画为序)王佩尧、李宏为安阳市第十七届人民代表大会常务委员会委员。",
            {
                ("王佩尧", "elect", ("安阳市第十七届人民代表大会常务委员会委员",)),
                ("李宏", "elect", ("安阳市第十七届人民代表大会常务委员会委员",)),
            },
        ),
        (
            "会议通过姜红英为安阳市人民代表大会监察司法委员会主任委员，李宏为安阳市人民代表大会财政经济委员会主任委员。",
            {
                ("姜红英", "elect", ("安阳市人民代表大会监察司法委员会主任委员",)),
                ("李宏", "elect", ("安阳市人民代表大会财政经济委员会主任委员",)),
            },
        ),
        # A district's standing committee accepting a deputy's resignation is not ours.
        ("鲅鱼圈区人大常委会决定接受孟庆凯、宋军辞去营口市十七届人大代表职务。", set()),
        ("会议决定撤销张三的安阳市某局局长职务。", {("张三", "dismiss", ("安阳市某局局长",))}),
        ("批准免去：\n\n王五安阳市某县人民检察院检察长职务。", {("王五", "approve_removal", ("安阳市某县人民检察院检察长",))}),
    ],
)
def test_personnel_patterns(body: str, expected: set[tuple[str, str, tuple[str, ...]]]) -> None:
    doc = doc_from_text("关于某某的通知\n\n" + body, "关于某某的通知", "notice", 1)
    assert decisions(run(doc)) == expected


def test_personnel_table_rows_and_one_verb_for_several_clauses() -> None:
    text = (
        "关于某某职务任免的通知\n\n2021年9月22日，安阳市第十四届人民代表大会常务委员会第二十五次会议决定任命：\n"
        "张 三\t安阳市财政局局长\n李四\t安阳市教育局局长\n\n"
        "会议还决定免去王五的安阳市财政局局长职务，赵六的安阳市教育局局长职务。"
    )
    found = decisions(run(doc_from_text(text, "关于某某职务任免的通知", "notice", 1)))
    assert found == {
        ("张三", "appoint", ("安阳市财政局局长",)),
        ("李四", "appoint", ("安阳市教育局局长",)),
        ("王五", "remove", ("安阳市财政局局长",)),
        ("赵六", "remove", ("安阳市教育局局长",)),
    }


def test_lower_level_bodies_decisions_are_not_recorded() -> None:
    text = "公告\n\n某某县人大常委会决定罢免张三的安阳市第十四届人民代表大会代表职务。"
    assert run(doc_from_text(text, "安阳市人民代表大会常务委员会公告", "announcement", 1)).personnel_decisions == ()


@pytest.mark.parametrize(
    ("post", "expected"),
    [
        ("市人大法制委员会主任委员", "安阳市人民代表大会法制委员会主任委员"),
        ("市政府副市长", "安阳市人民政府副市长"),
        ("市人大常委会法制工作委员会主任", "安阳市人大常委会法制工作委员会主任"),
        ("安阳市人大城乡建设环境保护委员会副主任委员", "安阳市人民代表大会城乡建设环境保护委员会副主任委员"),
        ("市十四届人大常委会委员", "安阳市第十四届人大常委会委员"),
        ("安阳市人大常委会法制工作委员会主任", "安阳市人大常委会法制工作委员会主任"),
        ("市民族宗教事务局局长", "安阳市民族宗教事务局局长"),
    ],
)
def test_expand_post(post: str, expected: str) -> None:
    assert expand_post(post, "安阳市") == expected


def test_posts_sharing_an_organisation() -> None:
    assert split_posts("安阳市人民政府副市长、代理市长", "安阳市") == [
        "安阳市人民政府副市长",
        "安阳市人民政府代理市长",
    ]
    assert split_posts("市政府副市长、市长", "安阳市") == ["安阳市人民政府副市长", "安阳市人民政府市长"]
    assert split_posts("市长", "安阳市") == ["市长"]


# --- votes ----------------------------------------------------------------------------------


def test_report_evaluation_table_and_percentage_warning() -> None:
    out = run(doc_from_lines(YK21, 95, 139, "营口市第十六届人民代表大会常务委员会第三十四次会议纪要", "minutes", 1), info=YINGKOU_INFO)
    assert len(out.votes) == 6
    first = out.votes[0]
    assert (first.subject, first.subject_type) == ("关于我市义务教育工作情况的报告", "report")
    assert (first.satisfied, first.basically_satisfied, first.unsatisfied) == (33, 5, 0)
    assert (first.voting, first.base, first.satisfied_pct) == (38, 40, 88.25)
    assert first.meeting == MeetingRef(SC, 16, 34)
    assert all(v.voting == 38 for v in out.votes)
    flagged = [w for w in out.warnings if w.code == "vote_percentage_mismatch"]
    assert [w.line for w in flagged] == [118]  # only 88.25 % (should be 82.5 %)


def test_department_evaluation_one_vote_per_subject() -> None:
    circular = doc_from_lines(ANYANG, 1703, 1753, "市十四届人大常委会关于开展工作评议结果的通报", "notice", 1, title_lines=2)
    table = doc_from_lines(ANYANG, 1755, 1762, "安阳市人大常委会2021年工作评议结果汇总统计表", "other", 2)
    votes = run(circular, table).votes
    assert [(v.subject, v.satisfied, v.basically_satisfied, v.unsatisfied, v.voting) for v in votes] == [
        ("市卫生健康委员会", 36, 2, 0, 38),
        ("市自然资源和规划局", 34, 3, 1, 38),
        ("市水利局", 33, 4, 1, 38),
        ("市民政局", 29, 7, 2, 38),
        ("市交通运输局", 22, 15, 1, 38),
    ]
    assert {v.meeting for v in votes} == {MeetingRef(SC, 14, 25)}
    assert {v.subject_type for v in votes} == {"department"}


def test_election_ballots() -> None:
    minutes = doc_from_lines(YK24, 1628, 1630, "营口市第十七届人民代表大会常务委员会第十九次会议纪要", "minutes", 1)
    out = run(minutes, info=YINGKOU_INFO)
    assert [(e.subject, e.yes, e.no, e.abstain, e.voting) for e in out.elections] == [
        ("补选许光文为辽宁省第十四届人民代表大会代表", 49, 0, 0, 49),
        ("补选胡玉合为辽宁省第十四届人民代表大会代表", 49, 0, 0, 49),
    ]
    assert {e.meeting for e in out.elections} == {MeetingRef(SC, 17, 19)}
    assert out.meetings[0].declared_present == 49  # 实到会49人


# --- provisions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "first", "last", "title", "articles", "chapters"),
    [
        (YK24, 105, 325, "营口市促进民营经济发展条例", 40, 0),
        (YK24, 1661, 2045, "营口市人民代表大会议事规则", 75, 10),
        (YK21, 621, 677, "营口市人大常委会关于对依法任命的国家机关工作人员进行履职评议的办法（试行）", 14, 0),
        (HULUDAO, 1292, 1351, "葫芦岛市人民政府办公室关于印发葫芦岛市河流断面水质污染补偿办法的通知", 12, 0),
    ],
)
def test_regulation_articles_and_chapters(
    path: Path, first: int, last: int, title: str, articles: int, chapters: int
) -> None:
    category: Category = "notice" if path == HULUDAO else "regulation"
    doc = doc_from_lines(path, first, last, title, category, 1)
    out = run(doc, info=HULUDAO_INFO if path == HULUDAO else YINGKOU_INFO)
    provisions = out.provisions[1]
    found = [p for p in provisions if p.kind == "article"]
    assert [p.number for p in found] == list(range(1, articles + 1))
    assert len([p for p in provisions if p.kind == "chapter"]) == chapters
    assert "provision_number_gap" not in codes(out)


def test_article_text_joins_page_seams_and_chapters_skip_internal_toc() -> None:
    doc = doc_from_lines(YK24, 1661, 2045, "营口市人民代表大会议事规则", "regulation", 1)
    provisions = run(doc, info=YINGKOU_INFO).provisions[1]
    chapters = [p for p in provisions if p.kind == "chapter"]
    assert chapters[0].span is not None and chapters[0].span.first_line == 1678  # not the 目录 at 1667
    assert (chapters[0].label, chapters[0].heading) == ("第一章", "总则")
    assert chapters[8].heading == "公布"
    article8 = next(p for p in provisions if p.kind == "article" and p.number == 8)
    assert article8.text.startswith("市人大常委会在市人民代表大会会议举行前，进行下列准备工作：")
    assert article8.chapter == 2
    last = [p for p in provisions if p.kind == "article"][-1]
    assert last.chapter == 10 and last.text == "本规则自通过之日起施行。"


def test_false_starts_rejected_and_gaps_reported() -> None:
    text = (
        "某某办法\n\n第一条 为了规范管理，制定本办法。\n\n第二条 本办法适用于本市。\n\n"
        "第三十二条第二款规定的情形除外。\n\n第三条 本办法由市政府负责解释。\n\n"
        "第五条 违反本办法第三条的，予以纠正。\n\n第六条 本办法自发布之日起施行。"
    )
    out = run(doc_from_text(text, "某某办法", "regulation", 1))
    assert [p.number for p in out.provisions[1]] == [1, 2, 3, 5, 6]
    assert codes(out).count("provision_number_gap") == 1


def test_report_with_one_article_label_has_no_provisions() -> None:
    text = "关于某某的报告\n\n第一条 这一句只是报告里的引文。\n\n其余是正文。"
    assert run(doc_from_text(text, "关于某某的报告", "report", 1)).provisions == {}


# --- citations ---------------------------------------------------------------------------------


def test_repeal_citations() -> None:
    doc = doc_from_lines(YK21, 621, 677, "营口市人大常委会关于对依法任命的国家机关工作人员进行履职评议的办法（试行）", "regulation", 1)
    cited = run(doc, info=YINGKOU_INFO).citations[1]
    repealed = {(c.kind, c.text) for c in cited if c.repeals}
    assert repealed == {
        ("title", "营口市人大常委会关于审判人员、检察人员任后监督评议的暂行办法"),
        ("doc_number", "营人发〔2019〕45号"),
    }
    notice = doc_from_lines(HULUDAO, 1292, 1351, "葫芦岛市人民政府办公室关于印发葫芦岛市河流断面水质污染补偿办法的通知", "notice", 2)
    cited = run(notice, info=HULUDAO_INFO).citations[2]
    by_text = {c.text: c for c in cited}
    assert by_text["葫政办发〔2017〕259号"].repeals
    assert not by_text["辽政办发〔2017〕45号"].repeals
    assert "葫政办发〔2020〕28号" not in by_text  # the document's own number


def test_doc_numbers_are_trimmed_and_normalised() -> None:
    text = "关于某某的议案\n\n根据市委组织部安组干〔2021〕176号文件和《关于某某的通知》（国办发[2018]063号），现提请审议。"
    cited = run(doc_from_text(text, "关于某某的议案", "motion", 1)).citations[1]
    assert [(c.kind, c.text) for c in cited] == [
        ("title", "关于某某的通知"),
        ("doc_number", "安组干〔2021〕176号"),
        ("doc_number", "国办发〔2018〕63号"),
    ]


def test_titles_across_a_page_seam_are_one_line() -> None:
    text = (
        "关于某某的报告\n\n会议听取和审议了市政府关于全市工作情况的报告，审议通过了关于《市人大常委会组成人员对市政府关于\n\n"
        "某某工作 情况的审议意见》落实情况的报告。"
    )
    cited = run(doc_from_text(text, "关于某某的报告", "report", 1)).citations[1]
    assert [c.text for c in cited] == ["市人大常委会组成人员对市政府关于某某工作情况的审议意见"]


# --- robustness -------------------------------------------------------------------------------


def test_long_lines_are_read_without_inventing_records() -> None:
    # 120k characters on one line: digits, verbs, meeting words and brackets. How long
    # it takes is measured by records.parsing.bench, not here.
    chunk = "2021年7月3日市十四届人大常委会第二十二次会议决定任命免去接受通过选举123456789《关于（"
    line = chunk * (120_000 // len(chunk))
    doc = doc_from_text("关于某某的通知\n\n" + line + "\n\n" + "1" * 100_000, "关于某某的通知", "notice", 1)
    out = run(doc)
    assert out.personnel_decisions == ()


def test_empty_and_title_only_documents() -> None:
    empty = DocumentSource(Document(index=1, title="", category="other"), (), 0)
    only_title = doc_from_text("关于某某的决定", "关于某某的决定", "decision", 2)
    out = run(empty, only_title)
    assert out.meetings == () and out.personnel_decisions == () and out.votes == ()


# --- end to end -----------------------------------------------------------------------------------


def _score(expected: Path, actual: dict[str, Any], tmp_path: Path) -> dict[str, float]:
    spec = importlib.util.spec_from_file_location("score_gazette", ROOT / "tools" / "score_gazette.py")
    assert spec and spec.loader
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    out = tmp_path / "actual.json"
    out.write_text(json.dumps(actual, ensure_ascii=False), encoding="utf-8")
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        scorer.main(["score", str(expected), str(out)])
    scores = {}
    for row in buffer.getvalue().splitlines()[:-1]:
        name, value = row[:28].strip(), row[28:].split()[0]
        scores[name] = float(value)
    return scores


MEASURES = {
    "meetings": 0.95,
    "meeting dates": 0.85,
    "meeting present": 0.95,
    "meeting on_leave": 0.95,
    "meeting attending": 0.85,
    "meeting agenda": 0.85,
    "personnel person+action": 0.95,
    "personnel positions": 0.85,
}


GOLDEN = ROOT / "tests" / "golden"
METADATA = {HULUDAO: {"issuer": "葫芦岛市人民政府", "region": "葫芦岛市", "kind": "government"}}


@pytest.mark.parametrize("sample", [ANYANG, YK21, YK24, HULUDAO], ids=lambda p: p.stem)
def test_end_to_end_meeting_and_personnel_measures(sample: Path, tmp_path: Path) -> None:
    expected = GOLDEN / (sample.stem + ".expected.json")
    if not expected.exists():
        pytest.skip("expectation not available")
    from records.parsing import IssueMetadata, gazette_to_json, parse_gazette

    meta = METADATA.get(sample)
    parsed = parse_gazette(sample.read_text(encoding="utf-8"), IssueMetadata(**meta) if meta else None)  # type: ignore[arg-type]
    scores = _score(expected, gazette_to_json(parsed), tmp_path)
    for measure, bar in MEASURES.items():
        if measure in scores:
            assert scores[measure] >= bar, (measure, scores[measure])


def test_end_to_end_counts_on_the_other_samples() -> None:
    from records.parsing import IssueMetadata, parse_gazette

    yk24 = parse_gazette(YK24.read_text(encoding="utf-8"))
    assert {(m.ref.body, m.ref.number) for m in yk24.meetings} >= {
        (SC, 18),
        ("congress", 3),
        (SC, 19),
        (SC, 20),
    }
    assert sum(1 for d in yk24.personnel_decisions if d.action == "elect") >= 12
    articles = [len([p for p in d.provisions if p.kind == "article"]) for d in yk24.documents]
    assert sorted(a for a in articles if a) == [40, 75]

    huludao = parse_gazette(
        HULUDAO.read_text(encoding="utf-8"),
        IssueMetadata(issuer="葫芦岛市人民政府", region="葫芦岛市", kind="government"),
    )
    assert huludao.meetings == () and huludao.personnel_decisions == ()
    assert sum(len(d.provisions) for d in huludao.documents) == 12
