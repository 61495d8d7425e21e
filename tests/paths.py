from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
LECCE_DATA = ROOT.parent / "shared" / "data" / "lecce"
