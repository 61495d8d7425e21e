"""Curator content: the YAML format, its validator and loader, and the shipped game of Lecce.

result = load_bundle("content/")
if result.bundle is None:
    print("\\n".join(map(str, result.problems)))
"""

from content.model import Bundle
from content.problems import Problem
from content.sources import load_bundle, load_files
from content.summary import summary
from content.validate import LoadResult

__all__ = ["Bundle", "LoadResult", "Problem", "load_bundle", "load_files", "summary"]
