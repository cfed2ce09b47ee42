"""Example responses shown in the OpenAPI schema and the docs at /api/docs/."""

from __future__ import annotations

SITE = "https://gazette.example.org"
API = f"{SITE}/api/v1"

GAZETTE_REF = {
    "id": 12,
    "title": "营口市人民代表大会常务委员会公报 2021年第3期",
    "year": 2021,
    "issue": 3,
    "url": f"{SITE}/gazettes/12/",
}
ARTICLE_REF = {
    "id": 345,
    "number": 3,
    "title": "营口市人民代表大会常务委员会任免名单",
    "url": f"{SITE}/articles/345/",
}
MEETING_REF = {"id": 7, "title": "营口市第16届人大常委会第34次会议"}

PUBLICATION = {
    "id": 1,
    "issuer": "营口市人民代表大会常务委员会",
    "region": "营口市",
    "kind": "congress",
    "kind_label": "人大常委会公报",
    "name": "营口市人民代表大会常务委员会公报",
    "title": "营口市人民代表大会常务委员会公报",
    "url": f"{SITE}/publications/1/",
}

GAZETTE = {
    "id": 12,
    "publication": {
        "id": 1,
        "issuer": "营口市人民代表大会常务委员会",
        "region": "营口市",
        "kind": "congress",
    },
    "title": "营口市人民代表大会常务委员会公报 2021年第3期",
    "year": 2021,
    "issue": 3,
    "cumulative_issue": 31,
    "published_on": None,
    "article_count": 14,
    "truncated": False,
    "published_at": "2024-02-01T09:30:00+08:00",
    "updated_at": "2024-02-01T09:30:00+08:00",
    "url": f"{SITE}/gazettes/12/",
    "export_url": f"{API}/gazettes/12/export.json",
    "source_file": {"filename": "yingkou-congress-2021-03.txt", "sha256": "9f2c…"},
    "corrected": False,
    "corrected_fields": [],
}
GAZETTE_DETAIL = {
    **GAZETTE,
    "warnings": [{"line": 412, "code": "percentage_mismatch", "message": "百分比与票数不符"}],
}

SOURCE = {"gazette": GAZETTE_REF, "article": ARTICLE_REF, "page": 9, "lines": [401, 433]}

ARTICLE = {
    "id": 345,
    "gazette": GAZETTE_REF,
    "number": 3,
    "title": "营口市人民代表大会常务委员会任免名单",
    "toc_title": "",
    "category": "name_list",
    "category_label": "名单",
    "page": 9,
    "doc_number": "",
    "date": "2021-06-10",
    "issuer": "",
    "meeting": MEETING_REF,
    "parent": None,
    "url": f"{SITE}/articles/345/",
    "source": SOURCE,
    "corrected": True,
    "corrected_fields": ["title"],
    "updated_at": "2024-02-03T15:12:00+08:00",
}
ARTICLE_DETAIL = {
    **ARTICLE,
    "text": "任命郑孝刚为营口市人民政府副市长。",
    "provisions": [],
    "citations": [{"kind": "doc_number", "text": "营人发〔2019〕45号", "repeals": True}],
}

MEETING = {
    "id": 7,
    "region": "营口市",
    "body": "standing_committee",
    "body_label": "人大常委会",
    "term": 16,
    "number": 34,
    "title": "营口市第16届人大常委会第34次会议",
    "date": "2021-06-10",
    "declared_present": 38,
    "agenda": ["听取和审议市政府关于义务教育工作情况的报告", "人事任免事项"],
    "url": f"{SITE}/meetings/7/",
    "attendance_url": f"{API}/meetings/7/attendance/",
    "source": {"gazette": GAZETTE_REF, "article": None, "page": None, "lines": [20, 64]},
    "corrected": False,
    "corrected_fields": [],
    "updated_at": "2024-02-01T09:30:00+08:00",
}

ATTENDANCE = {
    "id": 901,
    "meeting": 7,
    "person": {"id": 55, "name": "李强"},
    "name": "李强",
    "status": "present",
    "status_label": "出席",
    "title": "",
    "url": f"{SITE}/meetings/7/",
    "source": {"gazette": GAZETTE_REF, "article": None, "page": None, "lines": [31, 31]},
    "corrected": False,
    "corrected_fields": [],
    "updated_at": "2024-02-01T09:30:00+08:00",
}

DECISION = {
    "id": 210,
    "region": "营口市",
    "person": {"id": 61, "name": "郑孝刚"},
    "person_name": "郑孝刚",
    "action": "appoint",
    "action_label": "任命",
    "positions": ["营口市人民政府副市长"],
    "posts": [{"id": 17, "title": "营口市人民政府副市长"}],
    "meeting": MEETING_REF,
    "date": "2021-06-10",
    "printings": [ARTICLE_REF],
    "url": f"{SITE}/articles/345/",
    "source": SOURCE,
    "corrected": False,
    "corrected_fields": [],
    "updated_at": "2024-02-01T09:30:00+08:00",
}

VOTE = {
    "id": 33,
    "subject": "关于全市产业扶贫工作情况的报告",
    "subject_type": "report",
    "subject_type_label": "报告",
    "satisfied": 30,
    "basically_satisfied": 8,
    "unsatisfied": 0,
    "voting": 38,
    "base": 40,
    "satisfied_pct": 78.9,
    "meeting": MEETING_REF,
    "url": f"{SITE}/articles/340/",
    "source": {**SOURCE, "lines": [120, 126]},
    "corrected": False,
    "corrected_fields": [],
    "updated_at": "2024-02-01T09:30:00+08:00",
}

PERSON = {
    "id": 61,
    "region": "营口市",
    "name": "郑孝刚",
    "gender": "",
    "ethnicity": "",
    "aliases": [],
    "url": f"{SITE}/people/61/",
    "tenures_url": f"{API}/people/61/tenures/",
    "corrected": False,
    "corrected_fields": [],
    "updated_at": "2024-02-01T09:30:00+08:00",
}

POST = {
    "id": 17,
    "region": "营口市",
    "title": "营口市人民政府副市长",
    "organisation": None,
    "url": f"{SITE}/posts/17/",
}

TENURE = {
    "id": 88,
    "person": {"id": 61, "name": "郑孝刚"},
    "post": {"id": 17, "title": "营口市人民政府副市长"},
    "started_on": "2021-06-10",
    "ended_on": None,
    "current": True,
    "start_decision": 210,
    "end_decision": None,
    "derived": True,
    "url": f"{SITE}/people/61/",
}

TOMBSTONE = {
    "id": 4,
    "resource": "articles",
    "model": "records.article",
    "object_id": 346,
    "reason": "unpublished",
    "at": "2024-02-05T10:00:00+08:00",
}

EXPORT = {
    "schema": "gazette/1",
    "gazette": {
        "issuer": "营口市人民代表大会常务委员会",
        "region": "营口市",
        "kind": "congress",
        "year": 2021,
        "issue": 3,
        "cumulative_issue": 31,
        "published_on": None,
        "name": "营口市人民代表大会常务委员会公报",
    },
    "documents": [
        {
            "title": "营口市人民代表大会常务委员会任免名单",
            "page": 9,
            "category": "name_list",
            "doc_number": None,
            "date": "2021-06-10",
            "index": 3,
            "issuer": None,
            "meeting": {"body": "standing_committee", "term": 16, "number": 34},
            "parent": None,
            "lines": [401, 433],
        }
    ],
    "meetings": [],
    "personnel_decisions": [
        {
            "person": "郑孝刚",
            "action": "appoint",
            "positions": ["营口市人民政府副市长"],
            "meeting": {"body": "standing_committee", "term": 16, "number": 34},
            "date": "2021-06-10",
            "gender": None,
            "documents": [3],
        }
    ],
    "votes": [],
    "toc": [],
    "warnings": [],
    "truncated": False,
}
