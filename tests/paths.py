from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
LECCE_DATA = CONTENT / "lecce" / "reference"
