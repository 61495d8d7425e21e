"""Published content: immutable versions and the geometry of their areas and POIs."""

from __future__ import annotations

from datetime import datetime

from shapely.geometry.base import BaseGeometry
from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from content.model import DEFAULT_CITY
from game_server.kit.clock import utcnow
from game_server.kit.db import Base, Geometry, UTCDateTime


class ContentVersion(Base):
    """One immutable version of one comune's content; each comune has its own history."""

    __tablename__ = "content_versions"
    __table_args__ = (
        UniqueConstraint("city", "content_hash"),
        Index(None, "city", "activated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    city: Mapped[str] = mapped_column(String(64), default=DEFAULT_CITY)
    content_hash: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(120))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The version served is the one activated last; a rollback re-activates an older one.
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    bundle_json: Mapped[bytes] = mapped_column(LargeBinary)


class Area(Base):
    __tablename__ = "areas"
    __table_args__ = (
        UniqueConstraint("version_id", "slug"),
        Index("ix_areas_geom", "geom", postgresql_using="gist").ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(40))
    name_it: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    geom: Mapped[BaseGeometry] = mapped_column(Geometry("POLYGON"))


class Poi(Base):
    __tablename__ = "pois"
    __table_args__ = (
        UniqueConstraint("version_id", "slug"),
        Index("ix_pois_geom", "geom", postgresql_using="gist").ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    name_it: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    radius_m: Mapped[float | None]
    # A point for circular fences, a polygon for polygonal ones.
    geom: Mapped[BaseGeometry] = mapped_column(Geometry("GEOMETRY"))
