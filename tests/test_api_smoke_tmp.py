import pytest, json
from records.loading import load_gazette
from tests.factories import make_parsed

pytestmark = pytest.mark.django_db

def test_smoke(client, settings):
    settings.PORTAL_API_RATE = None
    load_gazette(make_parsed(), source_bytes=b"x", source_text="x", publish=True)
    for url in ["/api/v1/publications/","/api/v1/gazettes/","/api/v1/articles/","/api/v1/meetings/","/api/v1/people/","/api/v1/posts/","/api/v1/tenures/","/api/v1/personnel-decisions/","/api/v1/votes/","/api/v1/changes/"]:
        r = client.get(url)
        print(url, r.status_code, json.dumps(r.json(), ensure_ascii=False)[:600])
        assert r.status_code == 200
    r = client.get("/api/v1/gazettes/1/export.json"); print(r.status_code, r.content[:300].decode(errors="replace"))
    r = client.get("/api/v1/meetings/1/attendance/"); print(r.status_code, r.content[:300].decode(errors="replace"))
    r = client.get("/api/v1/people/1/tenures/"); print(r.status_code, r.content[:300].decode(errors="replace"))
    r = client.get("/api/v1/articles/?format=csv"); print(r.status_code, r["Content-Type"], r.content[:400].decode(errors="replace"))
    r = client.get("/api/v1/articles/1/"); print(r.status_code, r.content[:1000].decode(errors="replace"))
    r = client.get("/api/v1/nothing/"); print(r.status_code, r.content[:300].decode(errors="replace"))
    r = client.get("/api/docs/"); print(r.status_code, r.content[:1500].decode(errors="replace"))
