import pytest, json
from records.loading import load_gazette_file
from records.models import Gazette, GazetteSource
from records.exporting import gazette_export
from records.parsing import IssueMetadata
from tests.conftest import SAMPLES

pytestmark = pytest.mark.django_db
MANIFEST = json.loads((SAMPLES / "manifest.json").read_text())

def diff(a, b, path=""):
    if type(a) != type(b):
        print("TYPE", path, repr(a)[:200], repr(b)[:200]); return
    if isinstance(a, dict):
        for k in set(a) | set(b):
            if k not in a or k not in b: print("KEY", path, k, k in a, k in b); continue
            diff(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        if len(a) != len(b): print("LEN", path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)): diff(x, y, f"{path}[{i}]")
    elif a != b:
        print("VAL", path, repr(a)[:100], repr(b)[:100])

def test_samples():
    for name, meta in MANIFEST.items():
        load_gazette_file((SAMPLES / name).read_bytes(), filename=name, metadata=IssueMetadata(**meta) if meta else None, publish=True, allow_shrinkage=True)
    for g in Gazette.objects.all():
        parsed = json.loads(json.dumps(GazetteSource.objects.get(gazette=g).parsed))
        exported = json.loads(json.dumps(gazette_export(g)))
        print("==", g)
        diff(exported, parsed)
