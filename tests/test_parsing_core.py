"""The parser core: front matter, TOC, article boundaries, classification, export.

Plain pytest functions, no Django (run with ``-p no:django`` until the test
settings exist). Every expectation below was read off the sample texts in
records/fixtures/gazettes/ (line numbers are 1-based, as ``cat -n`` shows).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path

import pytest

from records.parsing import (
    GazetteParseError,
    IssueMetadata,
    ParsedGazette,
    gazette_to_json,
    parse_gazette,
)
from records.parsing.classify import category_of
from records.parsing.lines import split_lines
from records.parsing.toc import parse_toc

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "records" / "fixtures" / "gazettes"
GOLDEN = ROOT / "tests" / "golden"

YK21 = "yingkou-congress-2021-03.txt"
YK24 = "yingkou-congress-2024-01.txt"
HLD = "huludao-government-2020-02.txt"
AY = "anyang-congress-2021-03.txt"
HLD_META = IssueMetadata(issuer="葫芦岛市人民政府", region="葫芦岛市", kind="government")
METADATA = {HLD: HLD_META}


def text_of(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


@cache
def parsed(name: str) -> ParsedGazette:
    return parse_gazette(text_of(name), METADATA.get(name))


def doc_by_title(result: ParsedGazette, title: str):
    matches = [d for d in result.documents if d.title == title]
    assert len(matches) == 1, [d.title for d in result.documents]
    return matches[0]


def signature(result: ParsedGazette) -> list[tuple[object, ...]]:
    return [(d.title, d.page, d.category, d.date, d.doc_number, d.toc_title) for d in result.documents]


# --- document counts and the TOC ------------------------------------------------------


@pytest.mark.parametrize(("name", "count"), [(YK21, 19), (YK24, 38), (HLD, 8), (AY, 57)])
def test_every_toc_entry_maps_to_one_article(name: str, count: int) -> None:
    result = parsed(name)
    assert len(result.toc) == count
    assert len(result.documents) == count
    assert [e.document for e in result.toc] == list(range(1, count + 1))
    assert [d.page for d in result.documents] == [e.page for e in result.toc]
    assert not [
        w for w in result.warnings if w.code in {"toc_entry_without_article", "article_not_in_toc", "extractor_failed"}
    ]
    assert not result.truncated


@pytest.mark.parametrize(
    ("name", "first_lines"),
    [
        # the first body line of every article, checked against the text
        (YK21, [95, 141, 165, 243, 327, 389, 477, 525, 547, 553, 589, 621, 679, 697, 705, 757, 829, 925, 1073]),
        (HLD, [75, 191, 317, 405, 947, 1095, 1149, 1292]),
    ],
)
def test_articles_start_on_the_right_body_line(name: str, first_lines: list[int]) -> None:
    assert [d.span.first_line for d in parsed(name).documents if d.span] == first_lines


def test_anyang_articles_start_at_organ_lines_and_keep_signatures() -> None:
    docs = parsed(AY).documents
    # 安阳市人民政府 (line 90) above 关于提请任命高永职务的议案 (line 92) starts doc 2 …
    assert docs[1].span is not None and docs[1].span.first_line == 90
    # … while the signature 安阳市人大常委会主任会议 / 2021年7月3日 (143-145) ends doc 6.
    assert docs[5].span is not None and (docs[5].span.first_line, docs[5].span.last_line) == (135, 145)
    assert docs[-1].span is not None and docs[-1].span.last_line == 2004


def test_toc_wrapped_entry_is_joined() -> None:
    toc = parsed(AY).toc
    # 004:23 ends in a TAB, the entry continues on 004:25 after a blank line.
    assert toc[8].title == "市人大常委会主任徐家平在市十四届人大常委会第二十二次会议结束时的讲话"
    assert toc[8].page == 9
    assert toc[8].span is not None and (toc[8].span.first_line, toc[8].span.last_line) == (23, 25)
    # Line-wrap spaces inside words are removed.
    assert toc[16].title == "市人大常委会主任徐家平在市十四届人大常委会第二十三次会议结束时的讲话"


def test_toc_numbering_and_two_blocks_around_a_repeated_masthead() -> None:
    toc = parsed(YK21).toc
    assert toc[0].title == "营口市第十六届人民代表大会常务委员会第三十四次会议纪要"
    assert [e.page for e in toc[13:15]] == [31, 32]  # 14 before, 15 after the masthead
    assert toc[14].span is not None and toc[14].span.first_line == 80
    assert toc[15].page == 35  # "……………35" with no space before the page


def test_toc_glued_doc_numbers_and_sections() -> None:
    toc = parsed(HLD).toc
    assert toc[0].title == "葫芦岛市人民政府印发关于支持工业企业发展的若干政策意见的通知"
    assert toc[0].doc_number == "葫政发〔2020〕6号"
    assert toc[0].section == "葫政发文件"
    assert toc[3].doc_number == "葫政办发〔2020〕18号"  # short leader "…(16)"
    assert toc[3].page == 16
    assert {e.section for e in toc[1:]} == {"葫政办发文件"}
    assert toc[1].title.endswith("落实方案通知")


def test_second_table_of_contents_inside_the_body_changes_nothing() -> None:
    # 002:1665 目 录 is the chapter list of the 议事规则; the rules run to the next article.
    rules = parsed(YK24).documents[36]
    assert rules.title == "营口市人民代表大会会议事规则"
    assert rules.toc_title == "营口市人民代表大会议事规则"
    assert rules.span is not None and (rules.span.first_line, rules.span.last_line) == (1661, 2045)


# --- gazette info ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "info"),
    [
        (YK21, ("营口市人民代表大会常务委员会", "营口市", "congress", 2021, 3, 31, None)),
        (YK24, ("营口市人民代表大会常务委员会", "营口市", "congress", 2024, 1, 47, None)),
        (HLD, ("葫芦岛市人民政府", "葫芦岛市", "government", 2020, 2, 63, dt.date(2020, 3, 15))),
        (AY, ("安阳市人民代表大会常务委员会", "安阳市", "congress", 2021, 3, 205, dt.date(2021, 12, 13))),
    ],
)
def test_gazette_info(name: str, info: tuple[object, ...]) -> None:
    g = parsed(name).gazette
    assert (g.issuer, g.region, g.kind, g.year, g.issue, g.cumulative_issue, g.published_on) == info


def test_gazette_name_is_read_from_the_masthead() -> None:
    assert parsed(AY).gazette.name == "安阳市人民代表大会常务委员会公报"
    assert parsed(HLD).gazette.name == ""  # never printed in this issue


def test_government_issuer_is_inferred_from_red_headers_without_metadata() -> None:
    g = parse_gazette(text_of(HLD)).gazette
    assert (g.issuer, g.region, g.kind, g.issue) == ("葫芦岛市人民政府", "葫芦岛市", "government", 2)


def test_printed_values_win_over_metadata_and_metadata_fills_gaps() -> None:
    meta = IssueMetadata(issuer="别的市人民政府", year=1999, issue=9, published_on=dt.date(2021, 1, 1))
    g = parse_gazette(text_of(YK21), meta).gazette
    assert (g.issuer, g.year, g.issue) == ("营口市人民代表大会常务委员会", 2021, 3)
    assert g.published_on == dt.date(2021, 1, 1)  # not printed on this cover


def test_missing_issuer_is_a_clear_error() -> None:
    # Without the red headers nothing names the issuer of this gazette.
    text = text_of(HLD).replace("葫芦岛市人民政府文件", "")
    with pytest.raises(GazetteParseError, match="发布机关"):
        parse_gazette(text)


# --- documents -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [YK21, YK24, HLD, AY])
def test_documents_match_the_hand_checked_expectation(name: str) -> None:
    path = GOLDEN / name.replace(".txt", ".expected.json")
    if not path.exists():
        pytest.skip(f"no hand-checked expectation for {name}")
    expected = json.loads(path.read_text(encoding="utf-8"))["documents"]
    got = gazette_to_json(parsed(name))["documents"]
    assert len(got) == len(expected)
    for want, have in zip(expected, got, strict=True):
        assert have["title"] == want["title"]
        assert (have["page"], have["category"], have["doc_number"], have["date"]) == (
            want["page"],
            want["category"],
            want["doc_number"],
            want["date"],
        ), want["title"]
        assert have.get("toc_title") == want.get("toc_title")


def test_anyang_composed_minutes_title_and_meeting() -> None:
    minutes = parsed(AY).documents[0]
    assert minutes.title == "安阳市人大常委会会议纪要"
    assert minutes.toc_title == "安阳市第十四届人大常委会第二十二次会议纪要"
    assert minutes.category == "minutes"
    assert minutes.date == dt.date(2021, 7, 3)  # from the meeting, minutes print no date
    assert minutes.meeting is not None and (minutes.meeting.term, minutes.meeting.number) == (14, 22)


def test_anyang_dates_follow_the_printed_anchor() -> None:
    docs = parsed(AY).documents
    inspection = doc_by_title(parsed(AY), "关于我市2021年上半年国民经济和社会发展计划执行情况的视察报告")
    assert inspection.date is None  # "(2021 年 8 月)": month only
    assert docs[21].date == dt.date(2021, 9, 1)  # 审议意见 signed after the meeting (004:467)
    assert docs[46].date == dt.date(2021, 9, 23)  # the notice keeps its printed date (004:1789)
    assert docs[51].date == dt.date(2021, 9, 18)  # signature "2021 年 9 月 18 日" (004:1913)
    assert docs[43].date is None and docs[44].date is None  # 通报 and 统计表 print none
    assert docs[13].date == dt.date(2021, 7, 30)  # adopted at the 预备会议 (004:227)


def test_yingkou_2021_documents() -> None:
    result = parsed(YK21)
    assert [d.category for d in result.documents] == [
        "minutes", "agenda", "report", "decision", "explanation", "report", "report",
        "review_opinion", "resolution", "report", "report", "regulation", "explanation",
        "decision", "report", "report", "report", "report", "name_list",
    ]  # fmt: skip
    decision = result.documents[3]
    assert decision.title == "营口市人民代表大会常务委员会关于进一步加强全市义务教育工作的决定"
    assert decision.date == dt.date(2021, 6, 10)  # adoption line 001:245
    regulation = result.documents[11]
    assert regulation.title == "营口市人大常委会关于对依法任命的国家机关工作人员进行履职评议的办法（试行）"
    assert regulation.page == 28
    assert result.documents[1].date == dt.date(2021, 6, 10)  # agenda: the meeting's date
    assert result.documents[9].title == "关于市本级2021年财政预算调整方案的报告"
    assert result.documents[9].page == 25  # shares page 25 with the resolution before it
    # 001:757 wraps after 〉: the layout space goes, the bracket widths stay as printed.
    assert result.documents[15].title == (
        "关于《市人大常委会组成人员对市人大常委会执法检查组关于检查我市实施〈辽宁省食品安全条例〉"
        "情况的审议意见》落实情况的报告"
    )
    assert result.documents[11].toc_title == "营口市人大常委会关于对依法任命的国家机关工作人员进行履职评议的办法(试行)"
    # The 审议意见 prints no date line; its first sentence opens with the date (001:527).
    assert result.documents[7].date == dt.date(2021, 6, 10)


def test_yingkou_2024_documents() -> None:
    result = parsed(YK24)
    docs = result.documents
    assert docs[0].title == docs[6].title == "营口市人民代表大会常务委员会公告"
    assert (docs[0].date, docs[6].date) == (dt.date(2023, 10, 9), dt.date(2023, 12, 27))
    assert docs[1].category == "regulation" and docs[1].date == dt.date(2023, 7, 27)
    assert docs[5].category == "agenda" and docs[5].date == dt.date(2023, 12, 27)  # from 002:485
    assert [d.toc_title for d in docs[27:31]] == [f"营口市人民代表大会公告（第{n}号）" for n in "一二三四"]
    assert {d.category for d in docs[27:31]} == {"announcement"}
    assert docs[27].issuer == "营口市第十七届人民代表大会第三次会议主席团"
    assert [d.category for d in docs[9:13]] == ["name_list"] * 4
    assert docs[13].category == "resolution" and docs[14].category == "report"
    assert docs[32].category == "minutes" and docs[32].date == dt.date(2024, 1, 11)
    # An announcement's number line is its own number (002:98, 002:1578).
    assert (docs[0].doc_number, docs[27].doc_number) == ("〔十七届〕第十二号", "第一号")


def test_huludao_documents_have_their_doc_numbers_and_signature_dates() -> None:
    docs = parsed(HLD).documents
    assert [d.doc_number for d in docs] == [
        "葫政发〔2020〕6号", "葫政办发〔2020〕9号", "葫政办发〔2020〕10号", "葫政办发〔2020〕18号",
        "葫政办发〔2020〕19号", "葫政办发〔2020〕23号", "葫政办发〔2020〕24号", "葫政办发〔2020〕28号",
    ]  # fmt: skip
    assert [d.date for d in docs][:3] == [dt.date(2020, 2, 20), dt.date(2020, 3, 8), dt.date(2020, 3, 8)]
    assert docs[5].date == dt.date(2020, 3, 11)  # signature at the end of a direct notice
    assert {d.category for d in docs} == {"notice"}
    assert docs[0].issuer == "葫芦岛市人民政府"
    assert docs[1].issuer == "葫芦岛市人民政府办公室"  # the signature, not the red header
    assert docs[1].title == "葫芦岛市人民政府办公室关于印发葫芦岛市做好做大旅游文章发展“文旅产业”落实方案通知"


def test_anyang_doc_numbers_are_never_cited_ones() -> None:
    # 004:110 cites 安政文〔2021〕47号, which is another document's number.
    assert {d.doc_number for d in parsed(AY).documents} == {None}


def test_body_text_rejoins_page_seams_and_keeps_the_rest() -> None:
    report = parsed(AY).documents[19]
    # 004:330 "…深入" ⏎⏎ 004:332 "开展“三个一批”活动…" is one sentence.
    assert "深入开展“三个一批”活动" in report.text
    assert report.text.startswith("主任，各位副主任、秘书长、各位委员：\n")
    assert "**" not in parsed(YK21).documents[11].text
    # A heading with no sentence in it stays on its own line.
    assert "\n一、上半年全市国民经济和社会发展计划执行情况\n" in report.text


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("安阳市政府关于加强殷墟保护区文物保护的议案办理情况报告", "report"),
        ("关于加强殷墟保护区文物保护的议案督办意见的报告", "report"),
        ("葫芦岛市人民政府印发关于支持工业企业发展的若干政策意见的通知", "notice"),
        ("市人大常委会组成人员对《市政府关于全市产业扶贫工作情况的报告》的审议意见", "review_opinion"),
        ("安阳市人大常委会关于实施民生实事项目人大代表票决制工作的意见（试行）", "regulation"),
        ("安阳市人大常委会2021年工作评议结果汇总统计表", "other"),
        ("营口市人民代表大会公告（第一号）", "announcement"),
        ("营口市人大常委会关于对依法任命的国家机关工作人员进行履职评议的办法(试行)", "regulation"),
        ("营口市人民代表大会议事规则", "regulation"),
        ("辞 呈", "resignation_letter"),
        ("市委常委、市政府常务副市长陈志伟在市十四届人大常委会第二十四次会议上的表态发言", "speech"),
        ("市十四届人大常委会关于开展工作评议结果的通报", "notice"),
        ("市十四届人大常委会第二十四次会议列席人员名单", "name_list"),
        ("关于《营口市促进民营经济发展条例》的起草说明", "explanation"),
    ],
)
def test_category_from_the_title_suffix(title: str, category: str) -> None:
    assert category_of(title) == category


# --- warnings for damaged issues --------------------------------------------------------------


def _lines(name: str) -> list[str]:
    return text_of(name).split("\n")


def test_toc_entry_without_article_is_warned() -> None:
    lines = _lines(AY)
    assert lines[123] == "关于高永等职务任免的通知"
    result = parse_gazette("\n".join(lines[:123] + lines[124:]))
    assert len(result.documents) == 56
    missing = [w for w in result.warnings if w.code == "toc_entry_without_article"]
    assert [w.line for w in missing] == [19]
    assert "关于高永等职务任免的通知" in missing[0].message
    assert result.toc[4].document is None
    assert not result.truncated


def test_article_missing_from_the_toc_is_found_and_warned() -> None:
    lines = _lines(AY)
    assert lines[17].startswith("安阳市人民代表大会常务委员会关于决定任命高永")
    result = parse_gazette("\n".join(lines[:17] + lines[18:]))
    assert len(result.documents) == 57
    extra = [w for w in result.warnings if w.code == "article_not_in_toc"]
    assert len(extra) == 1 and extra[0].line == 115  # line 116 before the TOC line was removed
    decision = result.documents[3]
    assert decision.page is None and decision.category == "decision"
    assert decision.date == dt.date(2021, 7, 3)


def test_page_going_backwards_is_warned() -> None:
    text = text_of(AY).replace("关于高永等职务任免的通知·····\t5", "关于高永等职务任免的通知·····\t1")
    result = parse_gazette(text)
    backwards = [w for w in result.warnings if w.code == "toc_page_backwards"]
    assert [w.line for w in backwards] == [19]
    assert len(result.documents) == 57


def test_truncated_issue_keeps_what_comes_before_the_cut() -> None:
    lines = _lines(AY)
    # Cut in the middle of a sentence of the 卫生健康委员会 report (004:997).
    assert lines[996].startswith("市人大常委会启动评议工作以来")
    text = "\n".join([*lines[:996], lines[996][:40]])
    result = parse_gazette(text)
    assert result.truncated
    assert len(result.documents) == 34
    assert result.documents[-1].title == "安阳市卫生健康委员会关于接受市人大常委会工作评议的报告"
    cut = [w for w in result.warnings if w.code == "issue_truncated"]
    assert len(cut) == 1 and cut[0].line == 997
    assert sum(w.code == "toc_entry_without_article" for w in result.warnings) == 23
    assert signature(result)[:33] == signature(parsed(AY))[:33]


def test_truncation_mid_sentence_in_the_last_article_is_detected() -> None:
    lines = _lines(YK24)
    text = "\n".join([*lines[:-1], "以上说明连同《议事规则(草案)》,请一并"])
    result = parse_gazette(text)
    assert result.truncated and len(result.documents) == 38


# --- inputs that are not gazettes ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n\t  ",
        "\ufeff",
        bytes(range(256)).decode("latin-1") * 50,
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(200)) * 40).decode("utf-8", errors="replace"),
        "This is an ordinary English text, not a gazette at all.\n" * 40,
        "今天天气很好，我们去公园散步。公园里有很多人，大家都很开心。\n\n" * 30,
    ],
    ids=["empty", "blank", "bom", "latin1-junk", "binary-replaced", "english", "unrelated-chinese"],
)
def test_non_gazettes_raise_a_clear_error(text: str) -> None:
    with pytest.raises(GazetteParseError) as info:
        parse_gazette(text)
    assert re.search(r"[\u4e00-\u9fff]", info.value.message)


def test_file_cut_before_its_first_article_is_an_error() -> None:
    lines = _lines(AY)
    for cut in (12, 40, 77):
        with pytest.raises(GazetteParseError, match="截断"):
            parse_gazette("\n".join(lines[:cut]))


def test_body_without_a_masthead_is_an_error_unless_metadata_names_the_issue() -> None:
    body = "\n".join(_lines(AY)[76:])
    with pytest.raises(GazetteParseError, match="刊头"):
        parse_gazette(body)
    meta = IssueMetadata(issuer="安阳市人民代表大会常务委员会", year=2021, issue=3)
    result = parse_gazette(body, meta)
    assert result.gazette.issue == 3
    assert any(w.code == "no_toc" for w in result.warnings)


def test_only_gazette_parse_errors_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    import records.parsing.gazette as gazette

    def broken(*_args: object) -> object:
        raise IndexError("boom")

    monkeypatch.setattr(gazette, "parse_toc", broken)
    with pytest.raises(GazetteParseError, match="IndexError"):
        parse_gazette(text_of(AY))


def test_extractor_failure_costs_records_not_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    import records.parsing.gazette as gazette

    def broken(*_args: object) -> object:
        raise KeyError("oops")

    monkeypatch.setattr(gazette, "extract_records", broken)
    result = parse_gazette(text_of(YK21))
    assert len(result.documents) == 19
    assert [w.code for w in result.warnings if w.code == "extractor_failed"] == ["extractor_failed"]


# --- layout variants give the same documents -------------------------------------------


@pytest.mark.parametrize("name", [YK21, YK24, HLD, AY])
def test_crlf_and_bom_give_the_same_documents(name: str) -> None:
    variant = "\ufeff" + text_of(name).replace("\n", "\r\n")
    assert signature(parse_gazette(variant, METADATA.get(name))) == signature(parsed(name))


def test_stripped_markdown_gives_the_same_documents() -> None:
    text = text_of(YK21)
    assert text.count("**") > 10 and re.search(r"^#", text, re.M)
    plain = "\n".join(re.sub(r"^\s*#+\s*", "", line).replace("**", "") for line in text.split("\n"))
    assert signature(parse_gazette(plain)) == signature(parsed(YK21))


def test_bullets_and_trailing_spaces_change_nothing() -> None:
    text = text_of(AY)
    noisy = "\n".join(f"- {line}  " if line.startswith("关于") else line for line in text.split("\n"))
    assert signature(parse_gazette(noisy)) == signature(parsed(AY))


def test_running_heads_and_page_numbers_in_the_body_change_nothing() -> None:
    lines = _lines(AY)
    noisy: list[str] = []
    for number, line in enumerate(lines):
        noisy.append(line)
        if number > 80 and number % 97 == 0:  # e.g. between 004:1165 (title) and its subtitle
            noisy += ["", "安阳市人民代表大会常务委员会公报", "", f"— {number // 30} —", ""]
    result = parse_gazette("\n".join(noisy))
    assert [(d.title, d.category, d.date, d.text) for d in result.documents] == [
        (d.title, d.category, d.date, d.text) for d in parsed(AY).documents
    ]


def test_spaced_toc_leaders_under_a_heading() -> None:
    text = re.sub(r"\s*·+\t", "      ", text_of(AY)).replace("会\t\n", "会\n")
    result = parse_gazette(text)
    assert len(result.toc) == 57 and len(result.documents) == 57
    assert [d.page for d in result.documents] == [d.page for d in parsed(AY).documents]


def test_without_a_toc_articles_are_found_by_their_anchors() -> None:
    lines = _lines(HLD)
    text = "\n".join(lines[:12] + lines[32:])  # cover, no TOC
    result = parse_gazette(text, HLD_META)
    assert [d.doc_number for d in result.documents] == [d.doc_number for d in parsed(HLD).documents]
    assert any(w.code == "no_toc" for w in result.warnings)


def test_repeated_titles_align_positionally() -> None:
    # Three copies of the body behind a TOC listing every article three times:
    # each copy's 辞呈, 公告 and name lists must land in their own copy.
    lines = _lines(AY)
    toc, body = lines[14:76], lines[76:]
    text = "\n".join(lines[:14] + toc * 3 + body * 3)
    result = parse_gazette(text)
    assert len(result.documents) == 171
    starts = [d.span.first_line for d in result.documents if d.span]
    assert starts == sorted(starts)
    assert [d.title for d in result.documents[57:114]] == [d.title for d in parsed(AY).documents]


# --- export --------------------------------------------------------------------------------


def test_gazette_json_shape() -> None:
    data = gazette_to_json(parsed(HLD))
    dumped = json.loads(json.dumps(data, ensure_ascii=False))
    assert dumped["schema"] == "gazette/1"
    assert dumped["gazette"] == {
        "issuer": "葫芦岛市人民政府",
        "region": "葫芦岛市",
        "kind": "government",
        "year": 2020,
        "issue": 2,
        "cumulative_issue": 63,
        "published_on": "2020-03-15",
        "name": None,
    }
    first = dumped["documents"][0]
    assert {k: first[k] for k in ("title", "page", "category", "doc_number", "date")} == {
        "title": "葫芦岛市人民政府印发关于支持工业企业发展的若干政策意见的通知",
        "page": 2,
        "category": "notice",
        "doc_number": "葫政发〔2020〕6号",
        "date": "2020-02-20",
    }
    assert "toc_title" not in first
    assert dumped["toc"][0]["section"] == "葫政发文件" and dumped["toc"][0]["document"] == 1
    for key in ("meetings", "personnel_decisions", "votes", "warnings"):
        assert isinstance(dumped[key], list)


def test_gazette_json_warnings_and_toc_titles() -> None:
    lines = _lines(AY)
    data = gazette_to_json(parse_gazette("\n".join(lines[:123] + lines[124:])))
    warning = next(w for w in data["warnings"] if w["code"] == "toc_entry_without_article")
    assert set(warning) == {"line", "code", "message"} and warning["line"] == 19
    assert data["documents"][0]["toc_title"] == "安阳市第十四届人大常委会第二十二次会议纪要"


def test_gazette_json_meetings_use_plain_names() -> None:
    data = gazette_to_json(parsed(AY))
    for meeting in data["meetings"]:
        assert {"body", "term", "number", "date", "agenda", "present", "on_leave", "attending"} <= set(meeting)
        assert all(isinstance(name, str) and " " not in name for name in meeting["present"])


def test_toc_parser_alone_finds_no_toc_in_a_body() -> None:
    lines = split_lines("\n".join(_lines(AY)[76:]))
    assert parse_toc(lines).entries == ()
